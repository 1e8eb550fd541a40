// auditcast search [--from] [--to] [--type T...] [--limit N] [--order asc|desc] [--json]
import type { EventSearcher } from '../../auditlog/search-types.js';
import { marshalEventJson } from '../../events/event-json.js';
import type { AuditEvent } from '../../events/event.js';
import { choiceOption, integerOption, parseCommand, stringList, stringOption, expectPositionals } from '../args.js';
import { AUDIT_URL_HELP, AUDIT_URL_OPTION, openAuditLogForSearch } from '../audit-log.js';
import { type Command, helpText } from '../command.js';
import { existingDataDir } from '../data-dir.js';
import { eventCatalogue } from '../../events/catalogue.js';
import { UsageError } from '../errors.js';
import { formatTable, openOutput } from '../output.js';
import { parseTimeOption } from '../time-option.js';

const NAME = 'search';
const DEFAULT_LIMIT = 500;
/** FileLog's largest page (Teleport's EventsMaxIterationLimit). */
const MAX_PAGE = 10_000;

const OPTIONS = {
  from: { type: 'string' },
  to: { type: 'string' },
  type: { type: 'string', short: 't', multiple: true },
  limit: { type: 'string', short: 'n' },
  order: { type: 'string' },
  json: { type: 'boolean' },
  ...AUDIT_URL_OPTION,
} as const;

function field(event: AuditEvent, message: string, name: string): string {
  const m = event[message];
  const v = m && typeof m === 'object' ? (m as Record<string, unknown>)[name] : undefined;
  return typeof v === 'string' ? v : '';
}

/** A few fields worth seeing for the common session events. */
function details(event: AuditEvent): string {
  const parts: string[] = [];
  if (typeof event.TerminalSize === 'string' && event.TerminalSize) parts.push(`size=${event.TerminalSize}`);
  if (Array.isArray(event.InitialCommand) && event.InitialCommand.length > 0) parts.push(`command=${JSON.stringify((event.InitialCommand as string[]).join(' '))}`);
  if (typeof event.Reason === 'string' && event.Reason) parts.push(`title=${JSON.stringify(event.Reason)}`);
  const login = field(event, 'User', 'Login');
  if (login) parts.push(`login=${login}`);
  const host = field(event, 'Server', 'ServerHostname');
  if (host) parts.push(`host=${host}`);
  return parts.join(' ');
}

export const searchCommand: Command = {
  name: NAME,
  summary: 'search the audit log by time range and event type',
  help: helpText(
    'auditcast search [--from TIME] [--to TIME] [--type T...] [--limit N] [--order asc|desc] [--json]',
    [
      'Searches the audit log: the data dir\'s file log (one JSON line per event), or a PostgreSQL audit log.',
      'TIME is 2024-01-15, 2024-01-15T10:00:00Z, now, or a duration ago (30m, 24h, 7d).',
      'Prints a table, or with --json the events as Teleport JSON lines.',
    ].join('\n'),
    [
      ['--from TIME', 'oldest event time (default: the beginning)'],
      ['--to TIME', 'newest event time (default: now)'],
      ['-t, --type T', 'event type (session.start, session.end, resize, user.login...); repeat or comma-separate'],
      ['-n, --limit N', `at most N events (default ${DEFAULT_LIMIT}; 0 = all)`],
      ['--order ORDER', 'asc (oldest first, default) or desc'],
      ['--json', 'one Teleport JSON event per line'],
      AUDIT_URL_HELP,
    ],
  ),
  async run(argv) {
    const { values, positionals } = parseCommand(NAME, argv, OPTIONS);
    expectPositionals(NAME, positionals, 0, 0, '');
    const now = Date.now();
    const fromText = stringOption(values, 'from');
    const toText = stringOption(values, 'to');
    const from = fromText === undefined ? new Date(0) : parseTimeOption(NAME, 'from', fromText, now);
    const to = toText === undefined ? new Date(now) : parseTimeOption(NAME, 'to', toText, now);
    if (to < from) throw new UsageError('--to is before --from', NAME);
    const limit = integerOption(NAME, values, 'limit', 0) ?? DEFAULT_LIMIT;
    const order = choiceOption(NAME, values, 'order', ['asc', 'desc'] as const) ?? 'asc';
    const eventTypes = stringList(values, 'type');
    for (const type of eventTypes) {
      if (eventCatalogue.hasType(type)) continue;
      const near = [...eventCatalogue.types.keys()].filter((t) => t.startsWith(type.split('.')[0]!)).slice(0, 6);
      throw new UsageError(`--type ${JSON.stringify(type)} is not a Teleport event type${near.length ? ` (did you mean ${near.join(', ')}?)` : ''}`, NAME);
    }

    const log = await openAuditLogForSearch(await existingDataDir(values.dataDir), values);
    try {
      return await printEvents(log, { from, to, eventTypes, limit, order, json: values.json === true });
    } finally {
      await log.close?.();
    }
  },
};

interface PrintOptions {
  from: Date;
  to: Date;
  eventTypes: string[];
  limit: number;
  order: 'asc' | 'desc';
  json: boolean;
}

async function printEvents(log: EventSearcher, { from, to, eventTypes, limit, order, json }: PrintOptions): Promise<number> {
  const out = openOutput();
  const rows: string[][] = [];
  let count = 0;
  let startKey: string | undefined;
  let more = false;
  for (;;) {
    const want = limit === 0 ? MAX_PAGE : Math.min(MAX_PAGE, limit - count);
    const page = await log.searchEvents({ from, to, eventTypes, limit: want, order, startKey });
    for (const event of page.events) {
      if (json) {
        await out.write(`${marshalEventJson(event)}\n`);
      } else {
        rows.push([
          event.Metadata.Time.toISOString(), event.Metadata.Type, event.Metadata.Code,
          field(event, 'User', 'User') || '-', field(event, 'Session', 'SessionID') || '-', details(event),
        ]);
      }
      count++;
    }
    if (!page.lastKey) break;
    if (limit !== 0 && count >= limit) {
      more = true;
      break;
    }
    startKey = page.lastKey;
  }
  if (!json) {
    if (rows.length > 0) await out.write(formatTable(['TIME', 'TYPE', 'CODE', 'USER', 'SESSION', 'DETAILS'], rows));
    else process.stderr.write('no events found\n');
  }
  if (more) process.stderr.write(`(stopped at --limit ${count}; more events may match: raise --limit, or use --limit 0 for all)\n`);
  await out.end();
  return 0;
}
