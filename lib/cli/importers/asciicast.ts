// Imports an asciicast file (asciinema): v2 (event times are seconds since the start) and v3
// (event times are intervals since the previous event). "o" events become print events (the text
// encoded as UTF-8), "r" events ("WxH") resizes; input ("i"), markers ("m") and exit ("x") events
// have no place in a Teleport session recording: they are dropped and counted, and import says so.
import { createHash } from 'node:crypto';
import type { AuditEventInput } from '../../events/event.js';
import { Timestamp } from '../../events/timestamp.js';
import { derivedUuid } from '../../uploads/derived-id.js';
import { CliError } from '../errors.js';
import { SessionEventBuilder } from '../session-events.js';
import { parseTerminalSize, type TerminalSize } from '../terminal-reader.js';
import { DEFAULT_SIZE, type ImportedSession, type ImportOptions, lineError } from './imported-session.js';

const DROPPED_NAMES: Record<string, string> = { i: 'input ("i")', m: 'marker ("m")', x: 'exit ("x")' };

interface CastHeader {
  version: number;
  size: TerminalSize | null;
  start: Timestamp;
  title?: string;
  command: string[];
}

function parseCastHeader(line: string, file: string): CastHeader {
  let h: Record<string, unknown>;
  try {
    h = JSON.parse(line) as Record<string, unknown>;
  } catch {
    throw lineError(file, 1, 'not an asciicast header (the first line must be a JSON object)');
  }
  if (h === null || typeof h !== 'object' || Array.isArray(h)) throw lineError(file, 1, 'not an asciicast header');
  const version = h.version;
  if (version !== 2 && version !== 3) throw lineError(file, 1, `unsupported asciicast version ${JSON.stringify(version)} (2 and 3 are supported)`);
  const term = (h.term ?? {}) as Record<string, unknown>;
  const cols = Number(version === 3 ? term.cols : h.width);
  const rows = Number(version === 3 ? term.rows : h.height);
  const timestamp = typeof h.timestamp === 'number' && Number.isFinite(h.timestamp) ? h.timestamp : 0;
  return {
    version,
    size: Number.isInteger(cols) && cols > 0 && Number.isInteger(rows) && rows > 0 ? { cols, rows } : null,
    start: Timestamp.fromMillis(Math.round(timestamp * 1000)),
    title: typeof h.title === 'string' ? h.title : undefined,
    command: typeof h.command === 'string' ? [h.command] : [],
  };
}

/** Seconds as a JSON number → nanoseconds, at the microsecond precision asciinema writes. */
function secondsToNs(t: unknown, file: string, line: number): bigint {
  if (typeof t !== 'number' || !Number.isFinite(t) || t < 0) throw lineError(file, line, `bad event time ${JSON.stringify(t)}`);
  return BigInt(Math.round(t * 1e6)) * 1000n;
}

export function importAsciicast(inputs: readonly { name: string; data: Buffer }[], options: ImportOptions = {}): ImportedSession {
  if (inputs.length !== 1) throw new CliError('import --from asciicast needs exactly one .cast file', 2);
  const { name: file, data } = inputs[0]!;
  const text = data.toString('utf8');
  const lines = text.split('\n');
  const header = parseCastHeader(lines[0] ?? '', file);

  const seed = createHash('sha256').update('asciicast\0').update(data).digest();
  const sessionId = options.sessionId ?? derivedUuid(seed, 'session');
  const builder = new SessionEventBuilder({ sessionId, start: header.start, idSeed: seed });
  const encoder = new TextEncoder();
  const droppedCodes = new Map<string, number>();

  function* events(): Generator<AuditEventInput> {
    yield builder.start({ size: options.size ?? header.size ?? DEFAULT_SIZE, title: options.title ?? header.title, command: header.command });
    let elapsed = 0n;
    for (let i = 1; i < lines.length; i++) {
      const line = lines[i]!.trim();
      if (line === '' || line.startsWith('#')) continue;
      let ev: unknown;
      try {
        ev = JSON.parse(line);
      } catch {
        throw lineError(file, i + 1, 'not a JSON event line');
      }
      if (!Array.isArray(ev) || ev.length < 3 || typeof ev[1] !== 'string') {
        throw lineError(file, i + 1, 'an event must be [time, code, data]');
      }
      const t = secondsToNs(ev[0], file, i + 1);
      elapsed = header.version === 3 ? elapsed + t : t;
      const [, code, payload] = ev as [number, string, unknown];
      if (code === 'o') {
        if (typeof payload !== 'string') throw lineError(file, i + 1, 'output data must be a string');
        yield* builder.output(encoder.encode(payload), elapsed);
      } else if (code === 'r') {
        const size = parseTerminalSize(payload);
        if (!size) throw lineError(file, i + 1, `bad resize ${JSON.stringify(payload)} (expected "COLSxROWS")`);
        yield builder.resize(size, elapsed);
      } else {
        droppedCodes.set(code, (droppedCodes.get(code) ?? 0) + 1);
      }
    }
    yield builder.end(builder.elapsedNs);
  }
  const dropped = () => [...droppedCodes].map(([code, n]) =>
    `${file}: ${n} ${DROPPED_NAMES[code] ?? `"${code}"`} event${n === 1 ? '' : 's'} dropped (a Teleport recording has no place for them)`);
  return { sessionId, events: events(), inputBytes: data.length, dropped };
}
