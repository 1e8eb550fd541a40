// auditcast export SESSION|FILE --format json|asciicast|text|txt|screen [--at TIME] [--out FILE]
import { marshalEventJson } from '../../events/event-json.js';
import { choiceOption, expectPositionals, parseCommand, stringOption } from '../args.js';
import { AsciicastWriter } from '../asciicast-writer.js';
import { type Command, helpText } from '../command.js';
import { resolveDataDir } from '../data-dir.js';
import { UsageError } from '../errors.js';
import { openOutput, Progress } from '../output.js';
import { openRecording, RecordingReader } from '../recording-input.js';
import { TerminalReader } from '../terminal-reader.js';

const NAME = 'export';
const FORMATS = ['json', 'asciicast', 'text', 'txt', 'screen'] as const;

const OPTIONS = {
  format: { type: 'string', short: 'f' },
  out: { type: 'string', short: 'o' },
  at: { type: 'string' },
  force: { type: 'boolean' },
} as const;

export const exportCommand: Command = {
  name: NAME,
  summary: 'convert a recording to Teleport JSON lines, asciicast v2 or raw terminal text',
  help: helpText(
    'auditcast export SESSION|FILE --format json|asciicast|text|txt|screen [--at TIME] [--out FILE]',
    [
      'Reads a recording (a session id in the data dir, or a .tar file) and writes:',
      '  json       one Teleport JSON event per line (as `tsh recordings export` / the audit log)',
      '  asciicast  asciicast v2 for asciinema: header with the terminal size from session.start,',
      '             [t, "o", text] for output and [t, "r", "COLSxROWS"] for resizes',
      '  text       the raw terminal bytes, exactly as the program wrote them',
      '  txt        the session as plain text: the lines that were on the screen (through a terminal',
      '             emulator), in order, without escape sequences, redraws dropped',
      '  screen     the screen at --at TIME as text (from the seek index in <data-dir>/index,',
      '             built when missing or stale)',
    ].join('\n'),
    [
      ['-f, --format FMT', 'json, asciicast, text, txt or screen (required)'],
      ['--at TIME', 'for screen: seconds (90.5), mm:ss or hh:mm:ss since the session start'],
      ['-o, --out FILE', 'write to FILE instead of standard output (never the input itself)'],
      ['--force', 'replace FILE when it exists'],
    ],
  ),
  async run(argv) {
    const { values, positionals } = parseCommand(NAME, argv, OPTIONS);
    expectPositionals(NAME, positionals, 1, 1, 'SESSION or FILE');
    const format = choiceOption(NAME, values, 'format', FORMATS);
    if (!format) throw new UsageError('--format is required (json, asciicast, text, txt or screen)', NAME);
    const at = stringOption(values, 'at');
    if ((at !== undefined) !== (format === 'screen')) throw new UsageError('--at TIME goes with --format screen (and is required there)', NAME);
    const data = resolveDataDir(values.dataDir);
    const file = await openRecording(positionals[0]!, data);
    if (format === 'txt' || format === 'screen') {
      const out = openOutput(stringOption(values, 'out'), { inputs: [file.path], force: values.force === true });
      try {
        // The screen model (xterm) and the index (SQLite) load only for these two formats.
        const { writeScreenAt, writeTextExport } = await import('../screen-export.js');
        if (format === 'txt') await writeTextExport(file, out);
        else await writeScreenAt(file, data, (await import('../recording-index.js')).parseOffset(NAME, 'at', at!), out);
        await out.end();
      } catch (err) {
        out.abort();
        throw err;
      }
      return 0;
    }
    const progress = new Progress('exporting', file.size);
    // Events are written before the next part is read: views into the part are enough, and the
    // output gets one write per part (writev of the views, nothing joined) rather than one per event.
    const reader = await RecordingReader.open(file.path, { copyData: false, onBytes: (n) => progress.update(n) });
    let out;
    try {
      out = openOutput(stringOption(values, 'out'), { inputs: [file.path], force: values.force === true });
    } catch (err) {
      await reader.close();
      throw err;
    }
    let ended = false;
    try {
      if (format === 'json') {
        for await (const batch of reader.batches()) {
          let lines = '';
          for (const event of batch) lines += `${marshalEventJson(event)}\n`;
          if (lines) await out.write(lines);
        }
      } else if (format === 'text') {
        for await (const batch of reader.batches()) {
          const chunks: Uint8Array[] = [];
          for (const event of batch) {
            if (event.Metadata.Type === 'print' && event.Data instanceof Uint8Array && event.Data.length > 0) chunks.push(event.Data);
          }
          await out.writeChunks(chunks);
        }
      } else {
        const terminal = new TerminalReader(reader);
        const writer = new AsciicastWriter();
        await out.write(writer.header(await terminal.open()));
        for await (const frame of terminal.frames()) {
          const line = writer.frame(frame);
          if (line) await out.write(line);
        }
        const rest = writer.end();
        if (rest) await out.write(rest);
      }
      await out.end();
      ended = true;
    } finally {
      if (!ended) out.abort();
      progress.done();
      await reader.close();
    }
    return 0;
  },
};
