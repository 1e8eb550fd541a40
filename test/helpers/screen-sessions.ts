// The real sessions of ../shared as recordings for the screen and index tests: the Teleport web
// fixtures (their own session.start, resize, prints and end, from events.json + stream) and the
// `script` corpus (a session.start of 80x24 and one print per chunk), as one recording file, in
// small parts when asked so that keyframes resume in the middle of the file.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AuditEvent } from '../../lib/events/event.js';
import { fromEventFields } from '../../lib/events/event-fields.js';
import { Timestamp } from '../../lib/events/timestamp.js';
import { TELEPORT_WEB, chunksToPrints, loadScriptSession } from './corpus.js';
import { partOf, recordEvents } from './recording.js';

export const SESSION_NAMES = ['vim', 'npm', 'build', 'typing'] as const;
export type SessionName = (typeof SESSION_NAMES)[number];

export const CORPUS_START_MS = Date.UTC(2026, 0, 1);

export function sessionEvents(name: SessionName): AuditEvent[] {
  if (name === 'vim' || name === 'npm') {
    const stream = readFileSync(join(TELEPORT_WEB, `${name}.tty.stream`));
    const fields = JSON.parse(readFileSync(join(TELEPORT_WEB, `${name}.tty.events.json`), 'utf8')) as Record<string, unknown>[];
    return fields.map((f) => {
      const event = fromEventFields(f);
      if (f.event === 'print') event.Data = stream.subarray(f.offset as number, (f.offset as number) + (f.bytes as number));
      return event;
    });
  }
  const start = {
    $type: 'SessionStart',
    Metadata: { Index: 0, Type: 'session.start', ID: '', Code: 'T2000I', Time: Timestamp.fromMillis(CORPUS_START_MS), ClusterName: '' },
    User: { User: `${name}-user` },
    Session: { SessionID: `corpus-${name}` },
    TerminalSize: '80:24',
  } as AuditEvent;
  return [start, ...chunksToPrints(loadScriptSession(name).chunks, CORPUS_START_MS, 1)];
}

/** The session as a recording file's bytes, `eventsPerPart` events in each part (the streamer's own parts without it). */
export async function sessionRecording(name: SessionName, eventsPerPart?: number): Promise<Buffer> {
  const events = sessionEvents(name);
  if (eventsPerPart === undefined) return recordEvents(events, 5 * 1024 * 1024, `session-${name}`);
  const parts: Buffer[] = [];
  for (let i = 0; i < events.length; i += eventsPerPart) parts.push(partOf(events.slice(i, i + eventsPerPart)));
  return Buffer.concat(parts);
}
