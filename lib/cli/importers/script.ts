// Imports a util-linux `script -T TIMING` capture: the typescript starts with a header line
// ("Script started on DATE [COMMAND=... COLUMNS=... LINES=...]") and may end with a trailer line;
// the timing lines cover exactly the bytes in between. Classic timing lines are
// "<seconds since previous chunk> <bytes>"; the advanced format ("O|I|S|H <seconds> ...") is read
// too: O = output, S = SIGWINCH (resize), H = header info; I (input, logged elsewhere) is skipped.
import { createHash } from 'node:crypto';
import type { AuditEventInput } from '../../events/event.js';
import { Timestamp } from '../../events/timestamp.js';
import { derivedUuid } from '../../uploads/derived-id.js';
import { CliError } from '../errors.js';
import { SessionEventBuilder } from '../session-events.js';
import type { TerminalSize } from '../terminal-reader.js';
import { DEFAULT_SIZE, type ImportedSession, type ImportOptions, lineError, parseSecondsNs } from './imported-session.js';

const CLASSIC = /^(\d+(?:\.\d*)?) (\d+)$/;
const ADVANCED = /^([OISH]) (\d+(?:\.\d*)?) (.*)$/;
const HEADER = 'Script started on ';

export function looksLikeTiming(text: string): boolean {
  const first = text.split('\n', 1)[0]!.trim();
  return CLASSIC.test(first) || ADVANCED.test(first);
}

type Step =
  | { kind: 'output'; delayNs: bigint; bytes: number }
  | { kind: 'resize'; delayNs: bigint; size: TerminalSize }
  | { kind: 'skip'; delayNs: bigint };

interface Header {
  start: Timestamp;
  command: string[];
  size: TerminalSize | null;
}

function parseHeader(line: string): Header {
  const header: Header = { start: new Timestamp(0), command: [], size: null };
  const date = /^Script started on (\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2}:\d{2})(?:([+-]\d{2}):?(\d{2})|Z)?/.exec(line);
  if (date) {
    const offset = date[3] ? `${date[3]}:${date[4]}` : 'Z';
    header.start = Timestamp.parse(`${date[1]}T${date[2]}${offset}`);
  }
  const fields = new Map<string, string>();
  for (const m of line.matchAll(/([A-Z_]+)="((?:[^"\\]|\\.)*)"/g)) fields.set(m[1]!, m[2]!);
  const command = fields.get('COMMAND');
  if (command !== undefined) header.command = [command];
  const cols = Number(fields.get('COLUMNS'));
  const rows = Number(fields.get('LINES'));
  if (cols > 0 && rows > 0) header.size = { cols, rows };
  return header;
}

function parseTiming(text: string, file: string, header: Header): Step[] {
  const steps: Step[] = [];
  const lines = text.split('\n');
  lines.forEach((raw, i) => {
    const line = raw.trim();
    if (line === '') return;
    const where = `${file}:${i + 1}`;
    let m = CLASSIC.exec(line);
    if (m) {
      steps.push({ kind: 'output', delayNs: parseSecondsNs(m[1]!, where), bytes: Number(m[2]) });
      return;
    }
    m = ADVANCED.exec(line);
    if (!m) throw lineError(file, i + 1, `not a timing line: ${JSON.stringify(line.slice(0, 60))}`);
    const delayNs = parseSecondsNs(m[2]!, where);
    const rest = m[3]!;
    switch (m[1]) {
      case 'O':
        if (!/^\d+$/.test(rest)) throw lineError(file, i + 1, `bad byte count ${JSON.stringify(rest)}`);
        steps.push({ kind: 'output', delayNs, bytes: Number(rest) });
        break;
      case 'S': {
        const rows = Number(/ROWS=(\d+)/.exec(rest)?.[1]);
        const cols = Number(/COLS=(\d+)/.exec(rest)?.[1]);
        steps.push(rows > 0 && cols > 0 ? { kind: 'resize', delayNs, size: { cols, rows } } : { kind: 'skip', delayNs });
        break;
      }
      case 'H': {
        const [name, ...value] = rest.split(' ');
        const v = value.join(' ');
        if (name === 'COLUMNS' && Number(v) > 0) header.size = { cols: Number(v), rows: header.size?.rows ?? DEFAULT_SIZE.rows };
        if (name === 'LINES' && Number(v) > 0) header.size = { cols: header.size?.cols ?? DEFAULT_SIZE.cols, rows: Number(v) };
        if (name === 'COMMAND' && v) header.command = [v];
        break;
      }
      default:
        steps.push({ kind: 'skip', delayNs });
    }
  });
  return steps;
}

export function importScript(inputs: readonly { name: string; data: Buffer }[], options: ImportOptions = {}): ImportedSession {
  if (inputs.length !== 2) throw new CliError('import --from script needs two files: TIMING and TYPESCRIPT (from script -T TIMING TYPESCRIPT)', 2);
  const timingIndex = inputs.findIndex((input) => looksLikeTiming(input.data.subarray(0, 256).toString('latin1')));
  if (timingIndex < 0) throw new CliError(`neither ${inputs[0]!.name} nor ${inputs[1]!.name} is a script timing file (lines "<seconds> <bytes>")`);
  const timing = inputs[timingIndex]!;
  const typescript = inputs[1 - timingIndex]!;
  const data = typescript.data;

  let pos = 0;
  let header: Header = { start: new Timestamp(0), command: [], size: null };
  if (data.subarray(0, HEADER.length).toString('latin1') === HEADER) {
    const nl = data.indexOf(0x0a);
    if (nl < 0) throw new CliError(`${typescript.name}: header line has no end`);
    header = parseHeader(data.subarray(0, nl).toString('utf8'));
    pos = nl + 1;
  }
  const steps = parseTiming(timing.data.toString('latin1'), timing.name, header);
  const needed = steps.reduce((sum, s) => sum + (s.kind === 'output' ? s.bytes : 0), 0);
  if (pos + needed > data.length) {
    throw new CliError(`${typescript.name}: the timing file covers ${needed} bytes after the header but the typescript has only ${data.length - pos}`);
  }

  const seed = createHash('sha256').update('script\0').update(timing.data).update('\0').update(data).digest();
  const sessionId = options.sessionId ?? derivedUuid(seed, 'session');
  const size = options.size ?? header.size ?? DEFAULT_SIZE;
  const builder = new SessionEventBuilder({ sessionId, start: header.start, idSeed: seed });
  const title = options.title;

  function* events(): Generator<AuditEventInput> {
    yield builder.start({ size, title, command: header.command });
    let elapsed = 0n;
    let p = pos;
    for (const step of steps) {
      elapsed += step.delayNs;
      if (step.kind === 'output') {
        yield* builder.output(data.subarray(p, p + step.bytes), elapsed);
        p += step.bytes;
      } else if (step.kind === 'resize') {
        yield builder.resize(step.size, elapsed);
      }
    }
    yield builder.end(elapsed);
  }
  return { sessionId, events: events(), inputBytes: timing.data.length + data.length };
}
