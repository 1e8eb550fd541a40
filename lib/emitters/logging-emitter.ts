// LoggingEmitter: writes a one-line summary of each event to a log, skipping the noisy kinds
// (terminal output, disk access and app request events).
import { debuglog } from 'node:util';
import type { AuditEventInput } from '../events/event.js';
import type { Emitter } from './emitter.js';

const SKIPPED_TYPES = new Set(['print', 'session.disk', 'app.session.request', 'desktop.recording']);
const defaultLog = debuglog('auditcast');

export class LoggingEmitter implements Emitter {
  constructor(private readonly log: (line: string) => void = (line) => defaultLog('%s', line)) {}

  async emitAuditEvent(event: AuditEventInput): Promise<void> {
    const md = event.Metadata ?? {};
    const type = md.Type ?? '';
    if (SKIPPED_TYPES.has(type)) return;
    this.log(`audit event type=${type} code=${md.Code ?? ''} id=${md.ID ?? ''} index=${md.Index ?? 0}`);
  }
}
