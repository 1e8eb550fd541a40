// auditcast import --from script|asciicast|legacy INPUT... : builds a Teleport recording from
// another capture format. Deterministic: the same input gives the same file, byte for byte.
import * as fs from 'node:fs/promises';
import { integerOption, choiceOption, parseCommand, stringOption } from '../args.js';
import { type Command, helpText } from '../command.js';
import { resolveDataDir } from '../data-dir.js';
import { CliError, UsageError } from '../errors.js';
import { checkOutputFile, formatBytes, formatDuration, Progress } from '../output.js';
import { openRecordingSink } from '../recording-writer.js';
import { PrintBatcher } from '../../stream/print-batcher.js';
import { AUDIT_URL_HELP, AUDIT_URL_OPTION, emitSessionAuditEvents } from '../audit-log.js';
import { parseTerminalSize } from '../terminal-reader.js';
import { isUuid } from '../../uploads/ids.js';
import type { AuditEventInput } from '../../events/event.js';
import { Timestamp } from '../../events/timestamp.js';
import { importAsciicast } from '../importers/asciicast.js';
import { importLegacy } from '../importers/legacy.js';
import { importScript } from '../importers/script.js';
import type { ImportedSession, ImportOptions } from '../importers/imported-session.js';

const NAME = 'import';
const FORMATS = ['script', 'asciicast', 'legacy'] as const;

const OPTIONS = {
  from: { type: 'string' },
  out: { type: 'string', short: 'o' },
  'part-size': { type: 'string' },
  'session-id': { type: 'string' },
  size: { type: 'string' },
  title: { type: 'string' },
  force: { type: 'boolean', short: 'f' },
  ...AUDIT_URL_OPTION,
} as const;

const importers: Record<(typeof FORMATS)[number], (inputs: { name: string; data: Buffer }[], o: ImportOptions) => ImportedSession> = {
  script: importScript,
  asciicast: importAsciicast,
  legacy: importLegacy,
};

export const importCommand: Command = {
  name: NAME,
  summary: 'build a Teleport recording from a script -T capture, an asciicast file or a legacy events+stream pair',
  help: helpText(
    'auditcast import --from script|asciicast|legacy INPUT... [--out FILE] [--part-size BYTES]',
    [
      'Builds a Teleport session recording (ProtoStream, <sid>.tar) from:',
      '  script     TIMING TYPESCRIPT   util-linux `script -T TIMING TYPESCRIPT` (either order)',
      '  asciicast  FILE.cast           asciinema v2 or v3',
      '  legacy     EVENTS.json STREAM  Teleport\'s pre-4.4 layout (events + raw stream)',
      'The recording goes to the data dir (records/<sid>.tar, with its session.start and',
      'session.end in the audit log) or to --out FILE. The same input always gives the same',
      'bytes: ids and times come from the input or from its SHA-256. Prints the session id.',
    ].join('\n'),
    [
      ['--from FORMAT', 'script, asciicast or legacy (required)'],
      ['-o, --out FILE', 'write the recording to FILE instead of the data dir (never an input)'],
      ['--part-size BYTES', 'cut a new part every BYTES of compressed data (default 5 MiB)'],
      ['--session-id UUID', 'use this session id instead of the derived one'],
      ['--size COLSxROWS', 'terminal size when the input has none (default 80x24)'],
      ['--title TEXT', 'session title (kept in session.start "reason")'],
      ['-f, --force', 'replace a recording of the same session in the data dir, or FILE'],
      AUDIT_URL_HELP,
    ],
  ),
  async run(argv) {
    const { values, positionals } = parseCommand(NAME, argv, OPTIONS);
    const from = choiceOption(NAME, values, 'from', FORMATS);
    if (!from) throw new UsageError('--from is required (script, asciicast or legacy)', NAME);
    if (positionals.length === 0) throw new UsageError('missing INPUT file(s)', NAME);
    const partSize = integerOption(NAME, values, 'part-size', 1024, 1024 * 1024 * 1024);
    const sessionId = stringOption(values, 'session-id');
    if (sessionId !== undefined && !isUuid(sessionId)) throw new UsageError(`--session-id must be a UUID, got ${JSON.stringify(sessionId)}`, NAME);
    const sizeText = stringOption(values, 'size');
    const size = sizeText === undefined ? undefined : parseTerminalSize(sizeText);
    if (size === null) throw new UsageError(`--size must be COLSxROWS, got ${JSON.stringify(sizeText)}`, NAME);
    const out = stringOption(values, 'out');
    const data = resolveDataDir(values.dataDir);

    const inputs: { name: string; data: Buffer }[] = [];
    for (const file of positionals) {
      try {
        // `-` is standard input (read whole, as every input is: pipes and FIFOs work too).
        inputs.push({ name: file === '-' ? 'stdin' : file, data: file === '-' ? await readAll(process.stdin) : await fs.readFile(file) });
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        throw new CliError(`${file}: ${code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : (err as Error).message}`);
      }
    }
    let imported: ImportedSession;
    try {
      imported = importers[from](inputs, { sessionId, size, title: stringOption(values, 'title') });
    } catch (err) {
      if (err instanceof CliError && err.exitCode === 2) throw new UsageError(err.message, NAME);
      throw err;
    }

    if (out !== undefined) checkOutputFile(out, { inputs: positionals, force: values.force === true });
    const sink = await openRecordingSink({
      sessionId: imported.sessionId,
      out,
      recordsDir: data.records,
      partSize,
      overwrite: values.force === true,
    });
    const progress = new Progress('importing', null);
    const auditEvents: AuditEventInput[] = [];
    let count = 0;
    let bytes = 0;
    let first: Timestamp | null = null;
    let last: Timestamp | null = null;
    // Prints go to the stream as batches (framed natively, no work per print object); their data are
    // consecutive views of the input, read whole and never changed, so batches borrow them.
    const batcher = new PrintBatcher(sink.stream, { borrowData: true });
    try {
      for (const event of imported.events) {
        await batcher.record(event);
        count++;
        const time = event.Metadata?.Time;
        if (time instanceof Timestamp) {
          first ??= time;
          last = time;
        }
        if (event.Metadata?.Type === 'print') {
          bytes += (event.Data as Uint8Array).length;
          progress.update(bytes);
        } else {
          auditEvents.push(event);
        }
      }
      await batcher.flush();
      await sink.finish();
    } catch (err) {
      progress.done();
      await sink.abort();
      throw err;
    }
    progress.done();
    if (out === undefined) await emitSessionAuditEvents(data, auditEvents, values);
    // The index store (and the screen model it loads) only when the recording goes to the data dir.
    if (out === undefined) await (await import('../index-on-completion.js')).indexCompletedRecording(data, imported.sessionId, sink.path, '\n', values);
    const duration = first && last ? last.toMillis() - first.toMillis() : 0;
    for (const line of imported.dropped?.() ?? []) process.stderr.write(`auditcast import: ${line}\n`);
    process.stderr.write(`imported ${count} events (${formatBytes(bytes)} of output, ${formatDuration(duration)}) into ${sink.path}\n`);
    process.stdout.write(`${imported.sessionId}\n`);
    return 0;
  },
};

async function readAll(stream: NodeJS.ReadableStream): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
  return Buffer.concat(chunks);
}
