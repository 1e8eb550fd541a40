// auditcast index [SESSION|FILE...] [--recordings DIR|s3://...] [--force]
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { expectPositionals, parseCommand, stringOption } from '../args.js';
import { AUDIT_URL_OPTION } from '../audit-log.js';
import { type Command, helpText } from '../command.js';
import { type DataDir, resolveDataDir } from '../data-dir.js';
import { toAuditcastError } from '../../errors.js';
import { describeError } from '../errors.js';
import { formatOffset, openRecordingIndex } from '../recording-index.js';
import { checkRecordingFormat, openRecording, type RecordingFile } from '../recording-input.js';
import { isS3Url, openS3Recordings } from '../s3-recordings.js';
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

/** The <sid>.tar recordings of an S3 bucket, by name: the index reads them with ranged GETs. */
async function recordingsInS3(url: string): Promise<RecordingFile[]> {
  const source = openS3Recordings(url);
  const objects = (await source.list()).sort((a, b) => a.sessionId.localeCompare(b.sessionId));
  return objects.map((object) => ({ path: source.nameOf(object.sessionId), size: object.bytes, sessionId: object.sessionId }));
}

export const indexCommand: Command = {
  name: NAME,
  summary: 'build the seek index and full-text index of recordings (for grep and screen at a time)',
  help: helpText(
    'auditcast index [SESSION|FILE...] [--recordings DIR|s3://BUCKET/PREFIX] [--force]',
    [
      'Indexes recordings: keyframes of the screen for seeking, and the lines of text shown on the',
      'screen for `auditcast grep`. Without arguments, every recording in the data dir; with',
      '--recordings, every <session-id>.tar in DIR (a Teleport data dir\'s records, for example) or',
      'in an S3 bucket as Teleport stores them (s3://BUCKET/PREFIX?region=...&endpoint=..., AWS_*',
      'credentials; each is read from S3 where it is, nothing is copied).',
      'Indexes live in <data-dir>/index; nothing is written next to the recordings. A recording',
      'whose index is fresh is skipped; one that changed since is indexed again. A session being',
      'indexed by another process (record and import start one in the background) is waited for.',
    ].join('\n'),
    [
      ['--recordings DIR', 'index the <session-id>.tar recordings in DIR'],
      ['--recordings s3://B/P', 'index the <session-id>.tar recordings in an S3 bucket (Teleport\'s S3 session storage)'],
      ['--force', 'rebuild even fresh indexes'],
      ['--audit-url URL', 'keep the text index in this PostgreSQL, shared by a fleet (default $AUDITCAST_AUDIT_URL, else SQLite in the data dir)'],
    ],
  ),
  async run(argv) {
    const { values, positionals } = parseCommand(NAME, argv, OPTIONS);
    expectPositionals(NAME, positionals, 0, Infinity, 'SESSION or FILE');
    const data = resolveDataDir(values.dataDir);
    const dir = stringOption(values, 'recordings');
    // What to index: each argument, then the recordings of a directory or bucket; each is found
    // (and can fail) on its own, so one bad file does not stop the others.
    const targets: Array<string | RecordingFile> = [...positionals];
    let failed = 0;
    if (dir !== undefined && isS3Url(dir)) {
      targets.push(...await recordingsInS3(dir));
    } else if (dir !== undefined) targets.push(...await recordingsIn(dir));
    if (positionals.length === 0 && dir === undefined) {
      // Ours by session id: a link planted in the data dir is refused, not followed.
      const stored = await recordingsIn(data.records).catch(() => []);
      targets.push(...stored.map((file) => path.basename(file, '.tar')).map((stem) => (isUuid(stem) ? stem : path.join(data.records, `${stem}.tar`))));
    }
    const index = await openRecordingIndex(data, values);
    try {
      for (const target of targets) {
        try {
          const file = typeof target === 'string' ? await openRecording(target, data) : target;
          if (typeof target !== 'string') await checkRecordingFormat(file);
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
