// Streaming search over daily log files: files are read line by line (backwards for descending
// order), each file's events are put in time order through a small reorder window, the files are
// merged lazily (a file is opened only when the merge reaches the earliest time it may hold),
// and reading stops as soon as the page is full. Results are those of Teleport's
// FileLog.SearchEvents, which instead loads every matching file and sorts it all; keys name the
// last event's position (search-key.ts), and Teleport's own keys are accepted too.
import { createHash } from 'node:crypto';
import { basename, join } from 'node:path';
import { badParameter, throwIfAborted } from '../errors.js';
import type { AuditEvent } from '../events/event.js';
import { Timestamp, type TimeInput } from '../events/timestamp.js';
import { DAY_MS, EventsIterationLimit, EventsMaxIterationLimit, LogfileExt, MaxEventBytesInResponse } from './constants.js';
import { EventFields, eventJsonLine, fieldsToEvent } from './event-json.js';
import { parseFileTime } from './file-time.js';
import { type LineReaderCounters, readLinesBackward, readLinesForward } from './line-reader.js';
import type { SearchFileHandle, SearchFs } from './search-fs.js';
import { decodeSearchKey, encodeSearchKey, type SearchCursor } from './search-key.js';
import type { EventOrder, SearchResult, SearchStats } from './search-types.js';

export interface FileSearchConfig {
  fs: SearchFs;
  /** Directories holding daily files (one per auth server). */
  dirs: readonly string[];
  rotationPeriodMs: number;
  maxScanTokenSize: number;
  /** Events per file held to restore time order (default 1024). */
  reorderWindow: number;
}

export interface FileSearchQuery {
  from: TimeInput;
  to: TimeInput;
  eventTypes: readonly string[];
  limit?: number;
  order?: EventOrder;
  startKey?: string;
  condition?: (fields: EventFields) => boolean;
  signal?: AbortSignal;
}

export type { SearchCursor };

interface Entry extends SearchCursor {
  fields: Record<string, unknown>;
}

/**
 * The sort order: time, then session and event index (Teleport sorts events of one session at
 * the same time by index), then file and byte offset so the order is total and a page boundary
 * can be found again from its key.
 */
function ascending(a: SearchCursor, b: SearchCursor): number {
  return a.seconds - b.seconds || a.nanos - b.nanos
    || (a.sid < b.sid ? -1 : a.sid > b.sid ? 1 : 0)
    || a.ei - b.ei || (a.file < b.file ? -1 : a.file > b.file ? 1 : 0) || a.offset - b.offset;
}

function descending(a: SearchCursor, b: SearchCursor): number {
  return ascending(b, a);
}

/** A binary min-heap under `cmp`. */
class Heap<T> {
  readonly items: T[] = [];
  constructor(private readonly cmp: (a: T, b: T) => number) {}
  get size(): number { return this.items.length; }
  peek(): T | undefined { return this.items[0]; }
  push(item: T): void {
    const a = this.items;
    a.push(item);
    let i = a.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (this.cmp(a[i], a[p]) >= 0) break;
      [a[i], a[p]] = [a[p], a[i]];
      i = p;
    }
  }
  pop(): T | undefined {
    const a = this.items;
    if (a.length === 0) return undefined;
    const top = a[0];
    const last = a.pop()!;
    if (a.length > 0) {
      a[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < a.length && this.cmp(a[l], a[m]) < 0) m = l;
        if (r < a.length && this.cmp(a[r], a[m]) < 0) m = r;
        if (m === i) break;
        [a[i], a[m]] = [a[m], a[i]];
        i = m;
      }
    }
    return top;
  }
}

function toTimestamp(value: TimeInput, name: string): Timestamp {
  try {
    return Timestamp.from(value);
  } catch (err) {
    throw badParameter(`${name}: ${(err as Error).message}`, err);
  }
}

const digits = (s: string, from: number, to: number): number => {
  let n = 0;
  for (let i = from; i < to; i++) {
    const c = s.charCodeAt(i) - 48;
    if (c < 0 || c > 9) return -1;
    n = n * 10 + c;
  }
  return n;
};

/** `2006-01-02T15:04:05[.fraction]Z` without a regex or a Date; null for any other form. */
function parseUtcTime(s: string): Timestamp | null {
  const n = s.length;
  if (n < 20 || n > 30 || s.charCodeAt(n - 1) !== 90 /* Z */ || s[4] !== '-' || s[7] !== '-' || s[10] !== 'T' || s[13] !== ':' || s[16] !== ':') return null;
  const y = digits(s, 0, 4);
  const mo = digits(s, 5, 7);
  const d = digits(s, 8, 10);
  const h = digits(s, 11, 13);
  const mi = digits(s, 14, 16);
  const sec = digits(s, 17, 19);
  if (y < 0 || mo < 1 || mo > 12 || d < 1 || d > 31 || h < 0 || h > 23 || mi < 0 || mi > 59 || sec < 0 || sec > 59) return null;
  let nanos = 0;
  if (n > 20) {
    if (s[19] !== '.' || n - 21 > 9 || n - 21 < 1) return null;
    const frac = digits(s, 20, n - 1);
    if (frac < 0) return null;
    nanos = frac * 10 ** (9 - (n - 21));
  }
  // days from 1970-01-01 to y-mo-d in the proleptic Gregorian calendar (Date.UTC would read
  // years below 100 as 19xx)
  const yy = mo <= 2 ? y - 1 : y;
  const era = Math.floor(yy / 400);
  const yoe = yy - era * 400;
  const doy = Math.floor((153 * (mo + (mo > 2 ? -3 : 9)) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  const days = era * 146_097 + doe - 719_468;
  return new Timestamp(days * 86_400 + h * 3600 + mi * 60 + sec, nanos);
}

/** An event's `time` field; Go's zero time when missing or not RFC 3339. */
export function parseTime(value: unknown): Timestamp {
  if (typeof value !== 'string') return Timestamp.ZERO;
  const fast = parseUtcTime(value);
  if (fast) return fast;
  try {
    return Timestamp.parse(value);
  } catch {
    return Timestamp.ZERO;
  }
}

interface LogFile {
  path: string;
  /** Name of the file in keys: its server dir's name and its own (the full path if that repeats). */
  id: string;
  dayMs: number;
}

/** One file's accepted events in sort order, through a reorder window of `window` events. */
class FileStream {
  private readonly heap: Heap<Entry>;
  private readonly lines: AsyncGenerator<string>;
  private done = false;
  readonly counters: LineReaderCounters = { bytesRead: 0, linesTooLong: 0 };

  constructor(
    private readonly handle: SearchFileHandle,
    private readonly file: LogFile,
    private readonly window: number,
    private readonly accept: (line: string, file: string, offset: number) => Entry | null,
    cmp: (a: Entry, b: Entry) => number,
    backward: boolean,
    maxLine: number,
  ) {
    this.heap = new Heap(cmp);
    this.lines = backward ? readLinesBackward(handle, maxLine, this.counters) : readLinesForward(handle, maxLine, this.counters);
  }

  head(): Entry | undefined {
    return this.heap.peek();
  }

  /** Reads until the window is full or the file ends. */
  async fill(): Promise<void> {
    while (!this.done && this.heap.size < this.window) {
      const next = await this.lines.next();
      if (next.done) {
        this.done = true;
        break;
      }
      const entry = this.accept(next.value, this.file.id, this.counters.lineOffset ?? 0);
      if (entry) this.heap.push(entry);
    }
  }

  async pop(): Promise<Entry | undefined> {
    const top = this.heap.pop();
    await this.fill();
    return top;
  }

  async close(): Promise<void> {
    await this.lines.return(undefined);
    await this.handle.close();
  }
}

export function emptyStats(): SearchStats {
  return { filesMatched: 0, filesOpened: 0, bytesRead: 0, linesRead: 0, linesInvalidJson: 0, linesTooLong: 0, eventsInvalid: 0, outOfOrder: 0, resumed: false };
}

/** The pagination key of an event: its `uid`, else hex SHA-256 of its FastMarshal JSON. */
export function checkpointOf(event: AuditEvent): string {
  const id = event.Metadata?.ID;
  if (id) return id;
  return createHash('sha256').update(eventJsonLine(event)).digest('hex');
}

const HEX_KEY = /^[0-9a-f]{64}$/;

/** The start of a FastMarshal line of a typed event: ei, event, uid, code, then time. */
const METADATA_PREFIX = /^\{"ei":-?\d+,"event":"(?:[^"\\]|\\.)*",(?:"uid":"(?:[^"\\]|\\.)*",)?(?:"code":"(?:[^"\\]|\\.)*",)?"time":"([^"\\]{1,64})"/;

async function listLogFiles(config: FileSearchConfig, fromMs: number, toMs: number, order: EventOrder): Promise<LogFile[]> {
  const files: LogFile[] = [];
  for (const dir of config.dirs) {
    let entries: Awaited<ReturnType<SearchFs['readdir']>>;
    try {
      entries = await config.fs.readdir(dir);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') continue; // nothing written there yet
      throw err;
    }
    for (const entry of entries) {
      if (entry.isDirectory() || !entry.name.endsWith(LogfileExt)) continue;
      let day: number;
      try {
        day = parseFileTime(entry.name).getTime();
      } catch {
        continue; // not one of ours: Teleport logs and skips it
      }
      if (day > fromMs - config.rotationPeriodMs && day < toMs + config.rotationPeriodMs) {
        files.push({ path: join(dir, entry.name), id: `${basename(dir)}/${entry.name}`, dayMs: day });
      }
    }
  }
  // two searched dirs with one name (different parents): their files go by full path
  const ids = new Map<string, number>();
  for (const f of files) ids.set(f.id, (ids.get(f.id) ?? 0) + 1);
  for (const f of files) if (ids.get(f.id)! > 1) f.id = f.path;
  files.sort((a, b) => (order === 'asc' ? a.dayMs - b.dayMs : b.dayMs - a.dayMs) || (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return files;
}

/** Event ids that appear verbatim in a JSON line (no escaping possible). */
const PLAIN_KEY = /^[A-Za-z0-9._:@+-]{1,256}$/;

/** Position of the first (in sort order) accepted event whose uid is `key`; null when none. */
async function locateKey(
  config: FileSearchConfig,
  files: readonly LogFile[],
  key: string,
  accept: (line: string, file: string, offset: number) => Entry | null,
  cmp: (a: SearchCursor, b: SearchCursor) => number,
  counters: LineReaderCounters,
  signal?: AbortSignal,
): Promise<SearchCursor | null> {
  const needle = `"uid":"${key}"`;
  let best: Entry | null = null;
  for (const file of files) {
    throwIfAborted(signal);
    const handle = await config.fs.open(file.path);
    const own: LineReaderCounters = { bytesRead: 0, linesTooLong: 0 };
    try {
      for await (const line of readLinesForward(handle, config.maxScanTokenSize, own)) {
        if (!line.includes(needle)) continue;
        const entry = accept(line, file.id, own.lineOffset ?? 0);
        if (entry && entry.fields.uid === key && (!best || cmp(entry, best) < 0)) best = entry;
      }
    } finally {
      counters.bytesRead += own.bytesRead;
      counters.linesTooLong += own.linesTooLong;
      await handle.close();
    }
  }
  return best;
}

/** Runs one search page over the files of `config`. */
export async function searchFiles(config: FileSearchConfig, query: FileSearchQuery): Promise<SearchResult> {
  let limit = query.limit ?? 0;
  if (!Number.isInteger(limit)) throw badParameter(`limit must be an integer, got ${query.limit}`);
  if (limit <= 0) limit = EventsIterationLimit;
  if (limit > EventsMaxIterationLimit) throw badParameter(`limit ${limit} exceeds max iteration limit ${EventsMaxIterationLimit}`);
  const order = query.order ?? 'asc';
  if (order !== 'asc' && order !== 'desc') throw badParameter(`invalid event order: ${JSON.stringify(order)}`);
  const from = toTimestamp(query.from, 'from');
  const to = toTimestamp(query.to, 'to');
  if (to.compare(from) < 0) throw badParameter(`invalid days: to (${to.toISOString()}) is before from (${from.toISOString()})`);
  throwIfAborted(query.signal);

  const stats = emptyStats();
  // a key this search handed out names its position; Teleport's keys are looked for below
  let resume = query.startKey ? decodeSearchKey(query.startKey) ?? undefined : undefined;
  let files = await listLogFiles(config, from.toMillis(), to.toMillis(), order);
  stats.filesMatched = files.length;
  const cmp = order === 'asc' ? ascending : descending;
  const types = query.eventTypes;
  const typeSet = new Set(types);
  const counters: LineReaderCounters = { bytesRead: 0, linesTooLong: 0 };

  // Lines wholly outside what this page can return are dropped before JSON parsing when their
  // time can be read off the line: Teleport's own lines start with the event metadata.
  let bound: Timestamp | undefined;
  const tooEarly = (t: Timestamp) => (order === 'asc' ? t.compare(bound!) < 0 : t.compare(bound!) > 0);
  const accept = (line: string, file: string, offset: number): Entry | null => {
    stats.linesRead++;
    if (types.length > 0 && !types.some((t) => line.includes(t))) return null; // cheap pre-filter, as Teleport
    if (bound) {
      const head = METADATA_PREFIX.exec(line);
      if (head) {
        const t = parseTime(head[1]);
        if (!t.isZero() && tooEarly(t)) return null;
      }
    }
    let fields: unknown;
    try {
      fields = JSON.parse(line);
    } catch {
      stats.linesInvalidJson++;
      return null;
    }
    if (fields === null || typeof fields !== 'object' || Array.isArray(fields)) {
      stats.linesInvalidJson++;
      return null;
    }
    const record = fields as Record<string, unknown>;
    if (types.length > 0 && !typeSet.has(record.event as string)) return null;
    if (query.condition && !query.condition(new EventFields(record))) return null;
    const time = parseTime(record.time);
    const ei = typeof record.ei === 'number' ? record.ei : 0;
    const sid = typeof record.sid === 'string' ? record.sid : '';
    return { seconds: time.seconds, nanos: time.nanos, sid, ei, file, offset, fields: record };
  };

  if (query.startKey && !resume && PLAIN_KEY.test(query.startKey) && !HEX_KEY.test(query.startKey)) {
    // Teleport's key, an event id: as Teleport, resume after the first event with that id, found
    // by a substring scan (no JSON parsing of the other lines). Hash keys need every event's
    // JSON: full path.
    const located = await locateKey(config, files, query.startKey, accept, cmp, counters, query.signal);
    if (!located) {
      stats.bytesRead = counters.bytesRead;
      return { events: [], lastKey: '', stats }; // as Teleport: a key it cannot find ends the query
    }
    resume = located;
  }
  if (resume) {
    // files wholly before the resume point hold nothing to return (same slack as opening files)
    const t = resume.seconds * 1000 + resume.nanos / 1e6;
    files = files.filter((f) => (order === 'asc' ? f.dayMs + DAY_MS + config.rotationPeriodMs >= t : f.dayMs - config.rotationPeriodMs <= t));
    stats.resumed = true;
  }
  bound = resume
    ? new Timestamp(resume.seconds, resume.nanos)
    : query.startKey ? undefined : order === 'asc' ? from : to;

  const open: FileStream[] = [];
  let next = 0;
  const startTimeMs = (e: Entry) => e.seconds * 1000 + e.nanos / 1e6;
  // A file of day D is written during that day, so its events are stamped in [D, D + 24h) give or
  // take the time between stamping and writing. The merge opens it one rotation period before the
  // range it may hold (Teleport's file selection assumes the same slack), so a first page reads
  // only the first files.
  const mayHoldNext = (file: LogFile, head: Entry | undefined): boolean => {
    if (!head) return true;
    const t = startTimeMs(head);
    return order === 'asc' ? file.dayMs - config.rotationPeriodMs <= t : file.dayMs + DAY_MS + config.rotationPeriodMs >= t;
  };
  const headOfAll = (): FileStream | undefined => {
    let best: FileStream | undefined;
    for (const s of open) if (!best || cmp(s.head()!, best.head()!) < 0) best = s;
    return best;
  };

  const page: AuditEvent[] = [];
  let full = false;
  let foundStart = !query.startKey;
  const startKey = query.startKey ?? '';
  const hexKey = HEX_KEY.test(startKey);
  let totalSize = 0;
  let previous: Entry | undefined;
  let last: Entry | undefined;
  const closeStream = async (s: FileStream) => {
    counters.bytesRead += s.counters.bytesRead;
    counters.linesTooLong += s.counters.linesTooLong;
    await s.close();
  };
  let steps = 0;
  try {
    for (;;) {
      if ((++steps & 1023) === 0) throwIfAborted(query.signal);
      let best = headOfAll();
      while (next < files.length && mayHoldNext(files[next], best?.head())) {
        const file = files[next++];
        const handle = await config.fs.open(file.path);
        stats.filesOpened++;
        const stream = new FileStream(handle, file, config.reorderWindow, accept, cmp, order === 'desc', config.maxScanTokenSize);
        await stream.fill();
        if (stream.head()) open.push(stream);
        else await closeStream(stream);
        best = headOfAll();
      }
      if (!best) break;
      const entry = (await best.pop())!;
      if (!best.head()) {
        open.splice(open.indexOf(best), 1);
        await closeStream(best);
      }
      if (previous && cmp(entry, previous) < 0) stats.outOfOrder++;
      previous = entry;

      if (resume) {
        if (cmp(entry, resume) <= 0) continue;
      } else if (!foundStart) {
        const uid = entry.fields.uid;
        if (typeof uid === 'string' && uid !== '') {
          if (uid === startKey) foundStart = true;
        } else if (hexKey) {
          let event: AuditEvent;
          try {
            event = fieldsToEvent(entry.fields);
          } catch {
            continue;
          }
          if (checkpointOf(event) === startKey) foundStart = true;
        }
        continue;
      }
      const beforeRange = order === 'asc'
        ? entry.seconds < from.seconds || (entry.seconds === from.seconds && entry.nanos < from.nanos)
        : entry.seconds > to.seconds || (entry.seconds === to.seconds && entry.nanos > to.nanos);
      if (beforeRange) continue;
      const pastRange = order === 'asc'
        ? entry.seconds > to.seconds || (entry.seconds === to.seconds && entry.nanos > to.nanos)
        : entry.seconds < from.seconds || (entry.seconds === from.seconds && entry.nanos < from.nanos);
      if (pastRange) break;

      let event: AuditEvent;
      try {
        event = fieldsToEvent(entry.fields);
      } catch {
        stats.eventsInvalid++;
        continue;
      }
      const size = Buffer.byteLength(eventJsonLine(new EventFields(entry.fields)));
      if (totalSize + size >= MaxEventBytesInResponse && page.length > 0) {
        full = true;
        break;
      }
      page.push(event);
      last = entry;
      totalSize += size;
      if (page.length >= limit) {
        full = true;
        break;
      }
    }
  } finally {
    await Promise.all(open.map((s) => closeStream(s)));
  }
  stats.bytesRead = counters.bytesRead;
  stats.linesTooLong = counters.linesTooLong;
  const lastKey = full && last ? encodeSearchKey(last) : '';
  return { events: page, lastKey, stats };
}
