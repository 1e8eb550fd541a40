// auditcast verify FILE [--json]: reads a recording end to end and reports what is in it; exits
// non-zero with the error code and byte offset when it is corrupted.
import { backend } from '../../codec/index.js';
import { AuditcastError } from '../../errors.js';
import type { Timestamp } from '../../events/timestamp.js';
import { ProtoReader } from '../../stream/proto-reader.js';
import { expectPositionals, parseCommand } from '../args.js';
import { type Command, helpText } from '../command.js';
import { resolveDataDir } from '../data-dir.js';
import { CliError, EXIT_FAILURE } from '../errors.js';
import { formatBytes, formatDuration, formatTable, Progress } from '../output.js';
import { checkRecordingFormat, findRecording, readChunks } from '../recording-input.js';
import { sessionIdOf } from '../terminal-reader.js';

const NAME = 'verify';

const OPTIONS = {
  json: { type: 'boolean' },
} as const;

export interface VerifyReport {
  file: string;
  fileBytes: number;
  sessionId: string;
  backend: string;
  ok: boolean;
  parts: number;
  events: number;
  eventTypes: Record<string, number>;
  printBytes: number;
  firstEventTime: string | null;
  lastEventTime: string | null;
  durationMs: number;
  lastIndex: number;
  skippedEvents: number;
  outOfOrderEvents: number;
  skippedBytes: number;
  error?: { code: string; message: string; offset: number };
}

function errorOffset(err: AuditcastError, fallback: number): number {
  const m = /at byte (\d+)/.exec(err.message);
  return m ? Number(m[1]) : fallback;
}

export const verifyCommand: Command = {
  name: NAME,
  summary: 'read a recording end to end and report parts, events, bytes, duration and problems',
  help: helpText(
    'auditcast verify SESSION|FILE [--json]',
    [
      'Reads every part and event of a recording (ProtoStream V1) and reports the number of parts,',
      'events (by type), output bytes, duration, events skipped as duplicates or out of order, and',
      'the codec backend used. On a corrupted recording it exits 1 and names the error code and the',
      'byte offset of the part where reading failed.',
    ].join('\n'),
    [['--json', 'print the report as one JSON object']],
  ),
  async run(argv) {
    const { values, positionals } = parseCommand(NAME, argv, OPTIONS);
    expectPositionals(NAME, positionals, 1, 1, 'SESSION or FILE');
    const file = await findRecording(positionals[0]!, resolveDataDir(values.dataDir));
    try {
      await checkRecordingFormat(file, true);
    } catch (err) {
      // --json promises JSON: a file that is no recording at all is a report too.
      if (values.json !== true || !(err instanceof CliError)) throw err;
      process.stdout.write(`${JSON.stringify({ file: file.path, fileBytes: file.size, ok: false, error: { code: 'CORRUPTED', message: err.message, offset: 0 } })}\n`);
      process.stderr.write(`auditcast verify: ${err.message}\n`);
      return EXIT_FAILURE;
    }
    const progress = new Progress('verifying', file.size);
    // Nothing is kept past its part: views, and one synchronous pass per part (batches()).
    const reader = new ProtoReader(readChunks(file.path, (n) => progress.update(n)), { copyData: false });
    const report: VerifyReport = {
      file: file.path, fileBytes: file.size, sessionId: file.sessionId ?? '', backend, ok: true,
      parts: 0, events: 0, eventTypes: {}, printBytes: 0, firstEventTime: null, lastEventTime: null,
      durationMs: 0, lastIndex: -1, skippedEvents: 0, outOfOrderEvents: 0, skippedBytes: 0,
    };
    let first: Timestamp | null = null;
    let last: Timestamp | null = null;
    try {
      for await (const batch of reader.batches()) for (const event of batch) {
        report.events++;
        const type = event.Metadata.Type || '(none)';
        report.eventTypes[type] = (report.eventTypes[type] ?? 0) + 1;
        if (type === 'print' && event.Data instanceof Uint8Array) report.printBytes += event.Data.length;
        report.lastIndex = event.Metadata.Index;
        if (!report.sessionId) report.sessionId = sessionIdOf(event);
        const time = event.Metadata.Time;
        if (time && !time.isZero()) {
          if (!first || time.toNanos() < first.toNanos()) first = time;
          if (!last || time.toNanos() > last.toNanos()) last = time;
        }
      }
    } catch (err) {
      if (!(err instanceof AuditcastError)) throw err;
      report.ok = false;
      report.error = { code: err.code, message: err.message, offset: errorOffset(err, reader.offset) };
    } finally {
      progress.done();
      await reader.close();
    }
    report.parts = reader.stats.parts;
    report.skippedEvents = reader.stats.skippedEvents;
    report.outOfOrderEvents = reader.stats.outOfOrderEvents;
    report.skippedBytes = reader.stats.skippedBytes;
    report.firstEventTime = first ? first.toISOString() : null;
    report.lastEventTime = last ? last.toISOString() : null;
    report.durationMs = first && last ? Number((last.toNanos() - first.toNanos()) / 1_000_000n) : 0;

    if (values.json === true) {
      process.stdout.write(`${JSON.stringify(report)}\n`);
    } else {
      const types = Object.entries(report.eventTypes).sort((a, b) => b[1] - a[1]).map(([t, n]) => `${t} ${n}`).join(', ');
      const rows: [string, string][] = [
        ['file', `${report.file} (${formatBytes(report.fileBytes)})`],
        ['session', report.sessionId || '-'],
        ['backend', report.backend],
        ['parts', String(report.parts)],
        ['events', `${report.events}${types ? ` (${types})` : ''}`],
        ['output', `${report.printBytes} bytes`],
        ['duration', `${formatDuration(report.durationMs)}${report.firstEventTime ? ` (${report.firstEventTime} .. ${report.lastEventTime})` : ''}`],
        ['skipped', `${report.skippedEvents} duplicate events, ${report.skippedBytes} bytes after gzip members`],
        ['out of order', String(report.outOfOrderEvents)],
        ['status', report.ok ? 'OK' : report.error?.code === 'CORRUPTED' ? 'CORRUPTED' : `FAILED (${report.error?.code})`],
      ];
      process.stdout.write(formatTable(['', ''], rows).split('\n').slice(1).join('\n'));
    }
    if (report.error) {
      process.stderr.write(`auditcast verify: ${report.file}: ${report.error.code} at byte ${report.error.offset}: ${report.error.message}\n`);
      return EXIT_FAILURE;
    }
    return 0;
  },
};
