// auditcast ls: the recordings in the data dir, with what session.start and the audit log say
// about them, and unfinished uploads (a recording running, or one abandoned by a crash).
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { Timestamp } from '../../events/timestamp.js';
import { FileUploader } from '../../uploads/file-uploader.js';
import { isUuid } from '../../uploads/ids.js';
import { expectPositionals, parseCommand } from '../args.js';
import { AUDIT_URL_HELP, AUDIT_URL_OPTION, openAuditLogForSearch } from '../audit-log.js';
import { type Command, helpText } from '../command.js';
import { existingDataDir } from '../data-dir.js';
import { formatBytes, formatDuration, formatTable, openOutput } from '../output.js';
import { RecordingReader } from '../recording-input.js';
import { uploadState } from '../record/recording-owner.js';
import { type SessionInfo, TerminalReader } from '../terminal-reader.js';

const NAME = 'ls';

const OPTIONS = {
  json: { type: 'boolean' },
  ...AUDIT_URL_OPTION,
} as const;

interface Listed {
  sessionId: string;
  status: 'complete' | 'recording' | 'abandoned' | 'unreadable';
  start: string | null;
  durationMs: number | null;
  bytes: number;
  size: string;
  title: string;
  command: string;
  user: string;
  file: string;
}

async function readInfo(file: string): Promise<SessionInfo | null> {
  const reader = await RecordingReader.open(file).catch(() => null);
  if (!reader) return null;
  try {
    return await new TerminalReader(reader).open();
  } catch {
    return null;
  } finally {
    await reader.close();
  }
}

export const lsCommand: Command = {
  name: NAME,
  summary: 'list the recorded sessions in the data dir',
  help: helpText(
    'auditcast ls [--json]',
    'Lists the recordings in <data>/records (session id, start, duration, file size, terminal size,\ntitle or command), oldest first, then unfinished ones: "recording" while their recorder runs,\n"abandoned" when it is gone (complete those with \'auditcast recover\').',
    [['--json', 'one JSON object per session'], AUDIT_URL_HELP],
  ),
  async run(argv) {
    const { values, positionals } = parseCommand(NAME, argv, OPTIONS);
    expectPositionals(NAME, positionals, 0, 0, '');
    const data = await existingDataDir(values.dataDir);
    let names: string[] = [];
    try {
      names = await fs.readdir(data.records);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
    // End times from the audit log's session.end events (EndTime, else the event's own time).
    const ends = new Map<string, number>();
    const log = await openAuditLogForSearch(data, values);
    const search = await log.searchSessionEvents({ from: new Date(0), to: new Date(Date.now() + 86_400_000), limit: 10_000 }).catch(() => null)
      .finally(() => log.close?.());
    for (const event of search?.events ?? []) {
      const sid = (event.Session as { SessionID?: string } | undefined)?.SessionID;
      const end = event.EndTime instanceof Timestamp && !event.EndTime.isZero() ? event.EndTime : event.Metadata.Time;
      if (sid && end && !end.isZero()) ends.set(sid, end.toMillis());
    }

    const listed: Listed[] = [];
    for (const name of names.sort()) {
      if (!name.endsWith('.tar') || !isUuid(name.slice(0, -4))) continue;
      const file = path.join(data.records, name);
      const stat = await fs.lstat(file);
      if (!stat.isFile()) continue; // a link planted in the data dir is not a recording of ours
      const info = await readInfo(file);
      const sessionId = name.slice(0, -4);
      listed.push({
        sessionId,
        status: info ? 'complete' : 'unreadable',
        start: info?.start ? info.start.toISOString() : null,
        durationMs: info?.start && ends.has(sessionId) ? Math.max(0, ends.get(sessionId)! - info.start.toMillis()) : null,
        bytes: stat.size,
        size: info?.size ? `${info.size.cols}x${info.size.rows}` : '',
        title: info?.title ?? '',
        command: info?.command.join(' ') ?? '',
        user: info?.user ?? '',
        file,
      });
    }
    listed.sort((a, b) => (a.start ?? '').localeCompare(b.start ?? ''));
    const uploads = await new FileUploader({ directory: data.records }).listUploads().catch(() => []);
    // A session with a recording is listed once: a later upload of it is a stale one that the
    // completer keeps beside the recording (and reports), not a session in progress.
    const recorded = new Set(listed.map((item) => item.sessionId));
    for (const upload of uploads) {
      if (recorded.has(upload.sessionId)) continue;
      recorded.add(upload.sessionId);
      const { state } = await uploadState(data.records, upload);
      listed.push({
        sessionId: upload.sessionId, status: state, start: upload.initiated.toISOString(), durationMs: null,
        bytes: 0, size: '', title: '', command: '', user: '', file: path.join(data.records, 'multi', upload.id),
      });
    }

    const out = openOutput();
    if (values.json === true) {
      for (const item of listed) await out.write(`${JSON.stringify(item)}\n`);
    } else if (listed.length === 0) {
      process.stderr.write(`no recordings in ${data.records}\n`);
    } else {
      await out.write(formatTable(
        ['SESSION', 'STARTED', 'DURATION', 'SIZE', 'TERM', 'STATUS', 'TITLE / COMMAND'],
        listed.map((s) => [
          s.sessionId, s.start?.replace(/\.\d+Z$/, 'Z') ?? '-', s.durationMs === null ? '-' : formatDuration(s.durationMs),
          s.status === 'recording' || s.status === 'abandoned' ? '-' : formatBytes(s.bytes), s.size || '-', s.status, s.title || s.command || '-',
        ]),
      ));
    }
    await out.end();
    return 0;
  },
};
