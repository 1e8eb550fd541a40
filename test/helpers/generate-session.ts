// Teleport's eventstest.GenerateTestSession (conformance-scenarios §0.1): session.start, N print
// events, session.end, with the same fixed values, so our bytes can be compared with Teleport's.
import { randomUUID } from 'node:crypto';
import type { AuditEvent } from '../../lib/events/event.js';
import { Timestamp } from '../../lib/events/timestamp.js';

export interface SessionParams {
  printEvents: number;
  sessionId?: string;
  serverId?: string;
  userName?: string;
  clusterName?: string;
  /** Start time in ms (default 2020-03-30T15:58:54.561Z). */
  clockMs?: number;
}

export const TEST_CLOCK_MS = Date.UTC(2020, 2, 30, 15, 58, 54, 561);

export function generateTestSession(params: SessionParams): AuditEvent[] {
  const sessionId = params.sessionId ?? randomUUID();
  const serverId = params.serverId ?? randomUUID();
  const userName = params.userName ?? 'alice@example.com';
  const cluster = params.clusterName ?? '';
  const clock = params.clockMs ?? TEST_CLOCK_MS;
  const at = (ms: number) => Timestamp.fromMillis(clock + ms);
  const connection = { LocalAddr: '127.0.0.1:3022', RemoteAddr: '[::1]:37718', Protocol: 'ssh' };

  // Partial events, as tests write them: fields left out read as their zero values.
  const start = {
    $type: 'SessionStart',
    Metadata: { Index: 0, Type: 'session.start', ID: '36cee9e9-9a80-4c32-9163-3d9241cdac7a', Code: 'T2000I', Time: at(0), ClusterName: cluster },
    User: { User: userName, Login: 'bob' },
    Session: { SessionID: sessionId },
    Server: {
      ServerNamespace: 'default',
      ServerID: serverId,
      ServerHostname: 'planet',
      ServerLabels: { kernel: '5.3.0-42-generic', date: 'Mon Mar 30 08:58:54 PDT 2020', group: 'gravitational/devc' },
    },
    Connection: connection,
    TerminalSize: '80:25',
  } as unknown as AuditEvent;
  const events: AuditEvent[] = [start];
  for (let i = 0; i < params.printEvents; i++) {
    const data = Buffer.from('hello'.repeat((i % 177) + 1));
    events.push({
      $type: 'SessionPrint',
      Metadata: { Index: i + 1, Type: 'print', ID: '', Code: '', Time: at(60_000 + 2 * i), ClusterName: cluster },
      ChunkIndex: i,
      Data: data,
      Bytes: data.length,
      DelayMilliseconds: i,
      Offset: i,
    });
  }
  events.push({
    $type: 'SessionEnd',
    Metadata: { Index: params.printEvents + 1, Type: 'session.end', ID: 'da455e0f-c27d-459f-a218-4e83b3db9426', Code: 'T2004I', Time: at(3_601_007), ClusterName: cluster },
    User: { User: userName },
    Session: { SessionID: sessionId },
    Connection: connection,
    Server: { ServerNamespace: 'default', ServerID: serverId },
    EnhancedRecording: true,
    Interactive: true,
    Participants: [userName],
    StartTime: at(0),
    EndTime: at(10_801_007),
  } as AuditEvent);
  return events;
}
