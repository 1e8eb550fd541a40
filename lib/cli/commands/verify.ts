// auditcast verify FILE [--json]: reads a recording end to end and reports what is in it; exits
// non-zero with the error code and byte offset when it is corrupted.
import { backend } from '../../codec/index.js';
import { AuditcastError } from '../../errors.js';
import type { Timestamp } from '../../events/timestamp.js';
import { IndexGaps } from '../../stream/index-gaps.js';
import { expectPositionals, parseCommand } from '../args.js';
import { type Command, helpText } from '../command.js';
import { resolveDataDir } from '../data-dir.js';
import { describeError, EXIT_FAILURE } from '../errors.js';
import { formatBytes, formatDuration, formatTable, Progress } from '../output.js';
import { openRecording, RecordingReader, type RecordingFile } from '../recording-input.js';
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
  /** Event indexes missing from 0..lastIndex (a hole: a part that never landed). */
  missingEvents: number;
  gaps: { from: number; to: number }[];
  error?: { code: string; message: string; offset: number };
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
    const arg = positionals[0]!;
    let file: RecordingFile;
    let reader: RecordingReader;
    const progress = new Progress('verifying', 0);
    try {
      file = await openRecording(arg, resolveDataDir(values.dataDir));
      progress.setTotal(file.size);
      // Nothing is kept past its part: views, and one synchronous pass per part (batches()).
      reader = await RecordingReader.open(file.path, { copyData: false, onBytes: (n) => progress.update(n) });
    } catch (err) {
      // --json promises JSON: a file that is missing or no recording at all is a report too.
      if (values.json !== true || !(err instanceof AuditcastError)) throw err;
      process.stdout.write(`${JSON.stringify({ file: arg, ok: false, error: { code: err.code, message: err.message, offset: 0 } })}\n`);
      process.stderr.write(`auditcast verify: ${describeError(err)}\n`);
      return EXIT_FAILURE;
    }
    const report: VerifyReport = {
      file: file.path, fileBytes: file.size, sessionId: file.sessionId ?? '', backend, ok: true,
      parts: 0, events: 0, eventTypes: {}, printBytes: 0, firstEventTime: null, lastEventTime: null,
      durationMs: 0, lastIndex: -1, skippedEvents: 0, outOfOrderEvents: 0, skippedBytes: 0, missingEvents: 0, gaps: [],
    };
    const gaps = new IndexGaps();
    let first: Timestamp | null = null;
    let last: Timestamp | null = null;
    try {
      for await (const batch of reader.batches()) for (const event of batch) {
        report.events++;
        const type = event.Metadata.Type || '(none)';
        report.eventTypes[type] = (report.eventTypes[type] ?? 0) + 1;
        if (type === 'print' && event.Data instanceof Uint8Array) report.printBytes += event.Data.length;
        report.lastIndex = event.Metadata.Index;
        gaps.add(event.Metadata.Index);
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
      report.error = { code: err.code, message: err.message, offset: err.partOffset ?? reader.offset };
    } finally {
      progress.done();
      await reader.close();
    }
    report.parts = reader.stats.parts;
    report.missingEvents = gaps.missing;
    report.gaps = [...gaps.gaps];
    if (report.missingEvents > 0 && !report.error) {
      report.ok = false;
      report.error = { code: 'CORRUPTED', message: `${file.path}: the recording has a hole: ${gaps.describe()}`, offset: reader.offset };
    }
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
        ['missing', report.missingEvents > 0 ? gaps.describe() : '0'],
        ['status', report.ok ? 'OK' : report.error?.code === 'CORRUPTED' ? 'CORRUPTED' : `FAILED (${report.error?.code})`],
      ];
      process.stdout.write(formatTable(['', ''], rows).split('\n').slice(1).join('\n'));
    }
    if (report.error) {
      process.stderr.write(`auditcast verify: ${report.error.message} [${report.error.code}]\n`);
      return EXIT_FAILURE;
    }
    return 0;
  },
};
