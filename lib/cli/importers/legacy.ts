// Imports Teleport's legacy (pre-4.4) sessions: either the pair of an events file (JSON array or
// JSON lines, optionally gzipped) whose print events carry no data but point into a separate byte
// stream ("offset", "bytes"), or a legacy recording tarball (<sid>.index + events/chunks files).
// Every event keeps its fields (ids, times, indexes); print events get their bytes back, so the
// rebuilt recording replays the stream byte for byte. The conversion itself is lib/auditlog's.
import { gunzipSync } from 'node:zlib';
import { importLegacySession, readLegacyRecording } from '../../auditlog/legacy-recording.js';
import { AuditcastError } from '../../errors.js';
import type { AuditEventInput } from '../../events/event.js';
import { detectFormat } from '../../stream/detect-format.js';
import { isUuid } from '../../uploads/ids.js';
import { sessionIdOf } from '../terminal-reader.js';
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

function isTar(data: Buffer): boolean {
  try {
    return detectFormat(data.subarray(0, 512)).format === 'legacy-tar';
  } catch {
    return false;
  }
}

function importLegacyTar(input: { name: string; data: Buffer }, options: ImportOptions): ImportedSession {
  let events: ReturnType<typeof readLegacyRecording>;
  try {
    events = readLegacyRecording(input.data);
  } catch (err) {
    // Any tar archive gets here: name the file, and say it is not a Teleport recording.
    if (!(err instanceof AuditcastError)) throw err;
    const what = err.message.startsWith('not a Teleport recording') ? err.message : `not a Teleport recording: ${err.message.replace(/^legacy recording: /, '')}`;
    throw new AuditcastError(err.code, `${input.name}: ${what}`, { cause: err });
  }
  const sessionId = options.sessionId ?? events.map(sessionIdOf).find((sid) => sid !== '');
  if (!sessionId || !isUuid(sessionId)) throw new CliError(`${input.name}: no session id in the recording; pass --session-id`);
  function* all(): Generator<AuditEventInput> {
    for (const event of events) yield withOverrides(event, options);
  }
  return { sessionId, events: all(), inputBytes: input.data.length };
}

function withOverrides(event: AuditEventInput, options: ImportOptions): AuditEventInput {
  if (options.sessionId && event.Metadata?.Type !== 'print' && event.Session && typeof event.Session === 'object') {
    event.Session = { ...(event.Session as object), SessionID: options.sessionId };
  }
  if (options.size && event.Metadata?.Type === 'session.start') event.TerminalSize = `${options.size.cols}:${options.size.rows}`;
  return event;
}

export function importLegacy(inputs: readonly { name: string; data: Buffer }[], options: ImportOptions = {}): ImportedSession {
  if (inputs.length === 1 && isTar(inputs[0]!.data)) return importLegacyTar(inputs[0]!, options);
  if (inputs.length !== 2) throw new CliError('import --from legacy needs EVENTS.json and STREAM, or one legacy recording tarball', 2);
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
  let covered = 0;
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
    covered = Math.max(covered, offset + bytes);
  });
  // Bytes no print event points to have no time in the session: they are not imported, but said.
  const streamName = unpacked[1 - eventsIndex]!.name;
  const dropped = () => covered < stream.length
    ? [`${streamName}: the last ${stream.length - covered} of its ${stream.length} bytes are in no print event of ${eventsFile.name}: dropped`]
    : [];

  function* events(): Generator<AuditEventInput> {
    for (const event of importLegacySession(fields, stream)) yield withOverrides(event, options);
  }
  return { sessionId, events: events(), inputBytes: inputs.reduce((n, i) => n + i.data.length, 0), dropped };
}
