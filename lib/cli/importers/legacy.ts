// Imports Teleport's legacy (pre-4.4) session layout: an events file (JSON array or JSON lines,
// optionally gzipped) whose print events carry no data but point into a separate byte stream
// ("offset", "bytes"). Every event keeps its fields (ids, times, indexes); print events get their
// bytes back from the stream, so the rebuilt recording replays the stream byte for byte.
import { gunzipSync } from 'node:zlib';
import type { AuditEventInput } from '../../events/event.js';
import { fromEventFields } from '../../events/event-fields.js';
import { isUuid } from '../../uploads/ids.js';
import { CliError } from '../errors.js';
import type { ImportedSession, ImportOptions } from './imported-session.js';

function maybeGunzip(data: Buffer): Buffer {
  return data.length >= 2 && data[0] === 0x1f && data[1] === 0x8b ? gunzipSync(data) : data;
}

function looksLikeEvents(data: Buffer): boolean {
  const head = data.subarray(0, 64).toString('utf8').trimStart();
  return head.startsWith('[') || head.startsWith('{');
}

function parseEvents(text: string, file: string): Record<string, unknown>[] {
  const trimmed = text.trimStart();
  if (trimmed.startsWith('[')) {
    try {
      const list = JSON.parse(trimmed) as unknown;
      if (!Array.isArray(list)) throw new Error('not an array');
      return list as Record<string, unknown>[];
    } catch (err) {
      throw new CliError(`${file}: not a JSON array of events (${(err as Error).message})`);
    }
  }
  return text.split('\n').flatMap((line, i) => {
    if (line.trim() === '') return [];
    try {
      return [JSON.parse(line) as Record<string, unknown>];
    } catch {
      throw new CliError(`${file}:${i + 1}: not a JSON event line`);
    }
  });
}

export function importLegacy(inputs: readonly { name: string; data: Buffer }[], options: ImportOptions = {}): ImportedSession {
  if (inputs.length !== 2) throw new CliError('import --from legacy needs two files: EVENTS.json and STREAM', 2);
  const unpacked = inputs.map((i) => ({ name: i.name, data: maybeGunzip(i.data) }));
  const eventsIndex = unpacked.findIndex((i) => looksLikeEvents(i.data));
  if (eventsIndex < 0) throw new CliError(`neither ${inputs[0]!.name} nor ${inputs[1]!.name} is a JSON events file`);
  const eventsFile = unpacked[eventsIndex]!;
  const stream = unpacked[1 - eventsIndex]!.data;
  const fields = parseEvents(eventsFile.data.toString('utf8'), eventsFile.name);
  if (fields.length === 0) throw new CliError(`${eventsFile.name}: no events`);

  const sids = new Set(fields.map((f) => f.sid).filter((s): s is string => typeof s === 'string' && s !== ''));
  if (sids.size > 1) throw new CliError(`${eventsFile.name}: events of more than one session (${[...sids].join(', ')})`);
  const sessionId = options.sessionId ?? [...sids][0];
  if (!sessionId || !isUuid(sessionId)) throw new CliError(`${eventsFile.name}: no session id (sid) in the events; pass --session-id`);

  // Check every print's range before writing anything.
  let lastIndex = -1;
  fields.forEach((f, i) => {
    const ei = f.ei;
    if (typeof ei !== 'number' || !Number.isSafeInteger(ei)) throw new CliError(`${eventsFile.name}: event ${i + 1} has no index (ei)`);
    if (ei <= lastIndex) throw new CliError(`${eventsFile.name}: event ${i + 1}: index ${ei} is not above the previous ${lastIndex}`);
    lastIndex = ei;
    if (f.event !== 'print') return;
    const offset = f.offset;
    const bytes = f.bytes;
    if (typeof offset !== 'number' || typeof bytes !== 'number' || offset < 0 || bytes < 0 || offset + bytes > stream.length) {
      throw new CliError(`${eventsFile.name}: print event ei=${ei} covers bytes ${String(offset)}..${Number(offset) + Number(bytes)} but the stream has ${stream.length}`);
    }
  });

  function* events(): Generator<AuditEventInput> {
    for (const f of fields) {
      const withSid = options.sessionId && f.event !== 'print' ? { ...f, sid: options.sessionId } : f;
      const event = fromEventFields(withSid) as AuditEventInput;
      if (f.event === 'print') {
        const offset = f.offset as number;
        event.Data = stream.subarray(offset, offset + (f.bytes as number));
      } else if (f.event === 'session.start' && options.size) {
        event.TerminalSize = `${options.size.cols}:${options.size.rows}`;
      }
      yield event;
    }
  }
  return { sessionId, events: events(), inputBytes: inputs.reduce((n, i) => n + i.data.length, 0) };
}
