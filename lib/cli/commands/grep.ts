// auditcast grep PATTERN [--session S] [--from T] [--to T] [--limit N] [--json]
import { integerOption, expectPositionals, parseCommand, stringOption } from '../args.js';
import { AUDIT_URL_OPTION } from '../audit-log.js';
import { type Command, helpText } from '../command.js';
import { resolveDataDir } from '../data-dir.js';
import { catchUpIndex, formatOffset, openRecordingIndex } from '../recording-index.js';
import { parseTimeOption } from '../time-option.js';

const NAME = 'grep';

const OPTIONS = {
  session: { type: 'string', short: 's' },
  from: { type: 'string' },
  to: { type: 'string' },
  limit: { type: 'string', short: 'n' },
  json: { type: 'boolean' },
  ...AUDIT_URL_OPTION,
} as const;

export const grepCommand: Command = {
  name: NAME,
  summary: 'find text that was on the screen in indexed recordings',
  help: helpText(
    'auditcast grep PATTERN [--session S] [--from T] [--to T] [--limit N] [--json]',
    [
      'Finds the lines of text shown on the screen of recordings that contain PATTERN,',
      'case-insensitively, and prints session, time in the session (mm:ss), user and the line,',
      'ordered by time. Recordings of the data dir not indexed yet (record and import index in the',
      'background) and indexed ones that changed are indexed first; see also `auditcast index`.',
      'PATTERN is a phrase (its words in that order, as on the screen); a trailing * makes its last',
      'word a prefix: `auditcast grep "kubectl del*"`.',
      'The index is SQLite in the data dir (needs the optional package better-sqlite3), or PostgreSQL',
      'when the audit log is there (--audit-url postgres://...): one index for a fleet.',
    ].join('\n'),
    [
      ['-s, --session S', 'only this session'],
      ['--from T, --to T', 'only lines shown in this time range (2024-01-15, RFC 3339, now, 7d ago...)'],
      ['-n, --limit N', 'at most N lines (default 100)'],
      ['--json', 'one JSON object per line'],
      ['--audit-url URL', 'search the text index in this PostgreSQL (default $AUDITCAST_AUDIT_URL, else the data dir)'],
    ],
  ),
  async run(argv) {
    const { values, positionals } = parseCommand(NAME, argv, OPTIONS);
    expectPositionals(NAME, positionals, 1, 1, 'PATTERN');
    const from = stringOption(values, 'from');
    const to = stringOption(values, 'to');
    const data = resolveDataDir(values.dataDir);
    const index = await openRecordingIndex(data, values);
    try {
      // Recordings finished moments ago (indexed in the background) or never indexed: first.
      if (index.textUnavailable === null) await catchUpIndex(index, data, NAME);
      const hits = await index.search(positionals[0]!, {
        sessionId: stringOption(values, 'session'),
        fromEpochMs: from === undefined ? undefined : parseTimeOption(NAME, 'from', from).getTime(),
        toEpochMs: to === undefined ? undefined : parseTimeOption(NAME, 'to', to).getTime(),
        limit: integerOption(NAME, values, 'limit', 1, 100_000) ?? 100,
      });
      const lines = hits.map((h) => values.json === true
        ? JSON.stringify({
          session: h.sessionId, offset: formatOffset(h.timeMs), offsetMs: h.timeMs,
          time: h.sessionStartMs > 0 ? new Date(h.sessionStartMs + h.timeMs).toISOString() : null,
          user: h.user, eventIndex: h.eventIndex, line: h.text,
        })
        : `${h.sessionId}  ${formatOffset(h.timeMs)}  ${h.user || '-'}  ${h.text.trimEnd()}`);
      if (lines.length > 0) process.stdout.write(`${lines.join('\n')}\n`);
      return hits.length > 0 ? 0 : 1;
    } finally {
      await index.close();
    }
  },
};
