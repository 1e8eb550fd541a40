// Shared helpers for the audit log tests: temp dirs, a fake clock, events.
import type { AuditEventInput } from '../../lib/events/event.js';
import { Timestamp } from '../../lib/events/timestamp.js';
import { tempDir as sharedTempDir } from '../helpers/temp-dir.js';

export const tempDir = (): string => sharedTempDir('auditcast-auditlog-');

export class FakeClock {
  constructor(public ms: number) {}
  now = (): number => this.ms;
  advance(ms: number): void {
    this.ms += ms;
  }
}

export const MIN = 60_000;
export const HOUR = 60 * MIN;
export const DAY = 24 * HOUR;

export function userLogin(user: string, timeMs: number, id = ''): AuditEventInput {
  return {
    $type: 'UserLogin',
    Metadata: { Type: 'user.login', Code: 'T1000I', ID: id, Time: Timestamp.fromMillis(timeMs) },
    User: { User: user },
    Status: { Success: true },
    Method: 'saml',
  };
}

export function sessionJoin(id: string, user: string, timeMs: number): AuditEventInput {
  return {
    $type: 'SessionJoin',
    Metadata: { Type: 'session.join', Code: 'T2001I', ID: id, Time: Timestamp.fromMillis(timeMs) },
    User: { User: user },
  };
}

export function sessionEnd(id: string, timeMs: number, sid = 'sid-1', participants: string[] = []): AuditEventInput {
  return {
    $type: 'SessionEnd',
    Metadata: { Type: 'session.end', Code: 'T2004I', ID: id, Time: Timestamp.fromMillis(timeMs) },
    Session: { SessionID: sid },
    Participants: participants,
  };
}

export function desktopSessionEnd(id: string, timeMs: number, sid = 'sid-1'): AuditEventInput {
  return {
    $type: 'WindowsDesktopSessionEnd',
    Metadata: { Type: 'windows.desktop.session.end', Code: 'TDP01I', ID: id, Time: Timestamp.fromMillis(timeMs) },
    Session: { SessionID: sid },
  };
}

export function resize(timeMs: number): AuditEventInput {
  return { $type: 'Resize', Metadata: { Type: 'resize', Time: Timestamp.fromMillis(timeMs) }, TerminalSize: '10:10' };
}
