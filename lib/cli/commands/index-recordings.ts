// auditcast index [SESSION|FILE...] [--recordings DIR] [--force]
import { expectPositionals, parseCommand, stringOption } from '../args.js';
import { type Command, helpText } from '../command.js';
import { resolveDataDir } from '../data-dir.js';
import { formatOffset, openRecordingIndex, recordingsIn } from '../recording-index.js';
import { checkRecordingFormat, findRecording, type RecordingFile } from '../recording-input.js';

const NAME = 'index';

const OPTIONS = {
  recordings: { type: 'string' },
  force: { type: 'boolean' },
} as const;

export const indexCommand: Command = {
  name: NAME,
  summary: 'build the seek index and full-text index of recordings (for grep and screen at a time)',
  help: helpText(
    'auditcast index [SESSION|FILE...] [--recordings DIR] [--force]',
    [
      'Indexes recordings: keyframes of the screen for seeking, and the lines of text shown on the',
      'screen for `auditcast grep`. Without arguments, every recording in the data dir; with',
      '--recordings, every <session-id>.tar in DIR (a Teleport data dir\'s records, for example).',
      'Indexes live in <data-dir>/index; nothing is written next to the recordings. A recording',
      'whose index is fresh is skipped; one that changed since is indexed again.',
    ].join('\n'),
    [
      ['--recordings DIR', 'index the <session-id>.tar recordings in DIR'],
      ['--force', 'rebuild even fresh indexes'],
    ],
  ),
  async run(argv) {
    const { values, positionals } = parseCommand(NAME, argv, OPTIONS);
    expectPositionals(NAME, positionals, 0, Infinity, 'SESSION or FILE');
    const data = resolveDataDir(values.dataDir);
    const dir = stringOption(values, 'recordings');
    const files: RecordingFile[] = [];
    for (const arg of positionals) files.push(await findRecording(arg, data));
    if (dir !== undefined) files.push(...await recordingsIn(dir));
    if (positionals.length === 0 && dir === undefined) files.push(...await recordingsIn(data.records).catch(() => []));
    const index = openRecordingIndex(data);
    let failed = 0;
    try {
      for (const file of files) {
        const id = file.sessionId ?? file.path;
        try {
          await checkRecordingFormat(file);
          const r = await index.indexRecording(id, file.path, { force: values.force === true });
          const h = r.header;
          const lines = r.lines === null ? 'no text index' : `${r.lines} lines`;
          process.stdout.write(`${id}  ${r.rebuilt ? 'indexed' : 'fresh'}  ${formatOffset(h.durationMs)}  ${h.keyframes.length} keyframes  ${lines}\n`);
          if (h.error) {
            failed++;
            process.stderr.write(`auditcast index: ${id}: indexed up to a problem: ${h.error}\n`);
          }
        } catch (err) {
          failed++;
          process.stderr.write(`auditcast index: ${id}: ${(err as Error).message}\n`);
        }
      }
      if (index.textUnavailable) process.stderr.write(`auditcast index: only seek indexes built: ${index.textUnavailable}\n`);
    } finally {
      index.close();
    }
    if (files.length === 0) process.stderr.write('auditcast index: no recordings found\n');
    return failed > 0 ? 1 : 0;
  },
};
