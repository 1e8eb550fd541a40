// auditcast index [SESSION|FILE...] [--recordings DIR] [--force]
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { expectPositionals, parseCommand, stringOption } from '../args.js';
import { AUDIT_URL_OPTION } from '../audit-log.js';
import { type Command, helpText } from '../command.js';
import { resolveDataDir } from '../data-dir.js';
import { CliError } from '../errors.js';
import { formatOffset, openRecordingIndex } from '../recording-index.js';
import { checkRecordingFormat, findRecording, type RecordingFile } from '../recording-input.js';

const NAME = 'index';

const OPTIONS = {
  recordings: { type: 'string' },
  force: { type: 'boolean' },
  ...AUDIT_URL_OPTION,
} as const;

/** The <sid>.tar recordings of a directory (Teleport's layout and ours). */
async function recordingsIn(dir: string): Promise<RecordingFile[]> {
  let names: string[];
  try {
    names = await fs.readdir(dir);
  } catch (err) {
    throw new CliError(`${dir}: ${(err as Error).message}`, 1, { cause: err });
  }
  const files: RecordingFile[] = [];
  for (const name of names.filter((n) => n.endsWith('.tar')).sort()) {
    const file = path.join(dir, name);
    const stat = await fs.stat(file);
    if (stat.isFile()) files.push({ path: file, size: stat.size, sessionId: name.slice(0, -4) });
  }
  return files;
}

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
      ['--audit-url URL', 'keep the text index in this PostgreSQL, shared by a fleet (default $AUDITCAST_AUDIT_URL, else SQLite in the data dir)'],
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
    const index = await openRecordingIndex(data, values);
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
      await index.close();
    }
    if (files.length === 0) process.stderr.write('auditcast index: no recordings found\n');
    return failed > 0 ? 1 : 0;
  },
};
