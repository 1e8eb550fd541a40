// One search page over daily log files, streaming: files are read line by line (backwards for
// descending order), each file's events are put in time order through a small reorder window, the
// files are merged lazily, and reading stops as soon as the page is full. Results are those of
// Teleport's FileLog.SearchEvents, which instead loads every matching file and sorts it all; keys
// name the last event's position (search-key.ts), and Teleport's own keys are accepted too.
import { badParameter, throwIfAborted } from '../errors.js';
import type { AuditEvent } from '../events/event.js';
import { Timestamp } from '../events/timestamp.js';
import { DAY_MS, MaxEventBytesInResponse } from './constants.js';
import { EventFields, eventJsonLine, fieldsToEvent } from './event-json.js';
import type { LineReaderCounters } from './line-reader.js';
import { eventLineFilter } from './line-filter.js';
import { isHashKey, isLocatableKey, locateKey } from './locate-key.js';
import { LogFileMerge } from './log-file-merge.js';
import { type LogFileSet, listLogFiles } from './log-files.js';
import { checkPageQuery } from './page-query.js';
import { checkpointOf } from './search-checkpoint.js';
import { decodeSearchKey, encodeSearchKey, type SearchCursor } from './search-key.js';
import { compareIn, cursorMillis, type SearchEntry } from './search-order.js';
import type { SearchPageQuery, SearchResult, SearchStats } from './search-types.js';

export interface FileSearchConfig extends LogFileSet {
  maxScanTokenSize: number;
  /** Events per file held to restore time order (default 1024). */
  reorderWindow: number;
}

function emptyStats(): SearchStats {
  return { filesMatched: 0, filesOpened: 0, bytesRead: 0, linesRead: 0, linesInvalidJson: 0, linesTooLong: 0, eventsInvalid: 0, outOfOrder: 0, resumed: false };
}

/** Runs one search page over the files of `config`. */
export async function searchFiles(config: FileSearchConfig, query: SearchPageQuery): Promise<SearchResult> {
  const { limit, order, from, to } = checkPageQuery(query);
  if (to.compare(from) < 0) throw badParameter(`invalid days: to (${to.toISOString()}) is before from (${from.toISOString()})`);
  throwIfAborted(query.signal);

  const stats = emptyStats();
  const counters: LineReaderCounters = { bytesRead: 0, linesTooLong: 0 };
  const cmp = compareIn(order);
  const filter = eventLineFilter(query, order, stats);
  let files = await listLogFiles(config, from.toMillis(), to.toMillis(), order);
  stats.filesMatched = files.length;

  // a key this search handed out names its position; Teleport's keys are looked for
  const startKey = query.startKey ?? '';
  let resume: SearchCursor | undefined = startKey ? decodeSearchKey(startKey) ?? undefined : undefined;
  if (startKey && !resume && isLocatableKey(startKey)) {
    // Teleport's key, an event id: as Teleport, resume after the first event with that id. Hash
    // keys need every event's JSON: they are looked for while reading the page below.
    const located = await locateKey(files, startKey, {
      fs: config.fs, maxLineBytes: config.maxScanTokenSize, accept: filter.accept, cmp, counters, signal: query.signal,
    });
    if (!located) {
      stats.bytesRead = counters.bytesRead;
      return { events: [], lastKey: '', stats }; // as Teleport: a key it cannot find ends the query
    }
    resume = located;
  }
  if (resume) {
    // files wholly before the resume point hold nothing to return (same slack as opening files)
    const t = cursorMillis(resume);
    files = files.filter((f) => (order === 'asc' ? f.dayMs + DAY_MS + config.rotationPeriodMs >= t : f.dayMs - config.rotationPeriodMs <= t));
    stats.resumed = true;
  }
  filter.skipBefore(resume ? new Timestamp(resume.seconds, resume.nanos) : startKey ? undefined : order === 'asc' ? from : to);

  const merge = new LogFileMerge(files, {
    fs: config.fs, order, cmp, accept: filter.accept, rotationPeriodMs: config.rotationPeriodMs,
    reorderWindow: config.reorderWindow, maxLineBytes: config.maxScanTokenSize, counters,
  });
  const isStart = startKey && !resume ? startKeyMatcher(startKey) : undefined;
  let foundStart = !isStart;
  const beforeRange = (e: SearchCursor) => (order === 'asc' ? compareTime(e, from) < 0 : compareTime(e, to) > 0);
  const pastRange = (e: SearchCursor) => (order === 'asc' ? compareTime(e, to) > 0 : compareTime(e, from) < 0);

  const page: AuditEvent[] = [];
  let full = false;
  let totalSize = 0;
  let previous: SearchEntry | undefined;
  let last: SearchEntry | undefined;
  let steps = 0;
  try {
    for (let entry = await merge.next(); entry; entry = await merge.next()) {
      if ((++steps & 1023) === 0) throwIfAborted(query.signal);
      if (previous && cmp(entry, previous) < 0) stats.outOfOrder++;
      previous = entry;
      if (resume) {
        if (cmp(entry, resume) <= 0) continue;
      } else if (!foundStart) {
        foundStart = isStart!(entry);
        continue;
      }
      if (beforeRange(entry)) continue;
      if (pastRange(entry)) break;

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
    await merge.close();
  }
  stats.filesOpened = merge.filesOpened;
  stats.bytesRead = counters.bytesRead;
  stats.linesTooLong = counters.linesTooLong;
  const lastKey = full && last ? encodeSearchKey(last) : '';
  return { events: page, lastKey, stats };
}

function compareTime(c: SearchCursor, t: Timestamp): number {
  return c.seconds - t.seconds || c.nanos - t.nanos;
}

/**
 * Teleport's key when it could not be located by position: the page starts after the first event
 * whose uid is the key, or (for a hash key) whose checkpoint hash is.
 */
function startKeyMatcher(startKey: string): (entry: SearchEntry) => boolean {
  const hashKey = isHashKey(startKey);
  return (entry) => {
    const uid = entry.fields.uid;
    if (typeof uid === 'string' && uid !== '') return uid === startKey;
    if (!hashKey) return false;
    try {
      return checkpointOf(fieldsToEvent(entry.fields)) === startKey;
    } catch {
      return false;
    }
  };
}
