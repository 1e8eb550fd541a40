// auditcast index [SESSION|FILE...] [--recordings DIR] [--force]
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { expectPositionals, parseCommand, stringOption } from '../args.js';
import { AUDIT_URL_OPTION } from '../audit-log.js';
import { type Command, helpText } from '../command.js';
import { resolveDataDir } from '../data-dir.js';
import { toAuditcastError } from '../../errors.js';
import { describeError } from '../errors.js';
import { formatOffset, openRecordingIndex } from '../recording-index.js';
import { openRecording } from '../recording-input.js';
import { isUuid } from '../../uploads/ids.js';

const NAME = 'index';

const OPTIONS = {
  recordings: { type: 'string' },
  force: { type: 'boolean' },
  ...AUDIT_URL_OPTION,
} as const;

/** The <sid>.tar names of a directory (Teleport's layout and ours), sorted. */
async function recordingsIn(dir: string): Promise<string[]> {
  let names: string[];
  try {
    names = await fs.readdir(dir);
  } catch (err) {
    throw toAuditcastError(err, 'CONNECTION_PROBLEM', dir);
  }
  return names.filter((n) => n.endsWith('.tar')).sort().map((name) => path.join(dir, name));
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
    // What to index: each argument, then the recordings of a directory; each is found (and can
    // fail) on its own, so one bad file does not stop the others.
    const targets = [...positionals];
    if (dir !== undefined) targets.push(...await recordingsIn(dir));
    if (positionals.length === 0 && dir === undefined) {
      // Ours by session id: a link planted in the data dir is refused, not followed.
      const stored = await recordingsIn(data.records).catch(() => []);
      targets.push(...stored.map((file) => path.basename(file, '.tar')).map((stem) => (isUuid(stem) ? stem : path.join(data.records, `${stem}.tar`))));
    }
    const index = await openRecordingIndex(data, values);
    let failed = 0;
    try {
      for (const target of targets) {
        try {
          const file = await openRecording(target, data);
          const id = file.sessionId ?? file.path;
          const r = await index.indexRecording(id, file.path, { force: values.force === true });
          const h = r.header;
          const lines = r.lines === null ? 'no text index' : `${r.lines} lines`;
          process.stdout.write(`${id}  ${r.rebuilt ? 'indexed' : 'fresh'}  ${formatOffset(h.durationMs)}  ${h.keyframes.length} keyframes  ${lines}\n`);
          if (h.error) {
            // Indexed up to the problem (stdout says how far); the problem in verify's words.
            failed++;
            process.stderr.write(`auditcast index: ${h.error}\n`);
          }
        } catch (err) {
          failed++;
          process.stderr.write(`auditcast index: ${describeError(err)}\n`);
        }
      }
      if (index.textUnavailable) process.stderr.write(`auditcast index: only seek indexes built: ${index.textUnavailable}\n`);
    } finally {
      await index.close();
    }
    if (targets.length === 0) process.stderr.write('auditcast index: no recordings found\n');
    return failed > 0 ? 1 : 0;
  },
};
