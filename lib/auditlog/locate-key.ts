// Teleport's search keys are event ids. Resuming from one means finding the first event (in search
// order) with that id: a substring scan of every file finds its lines without parsing the others.
import { throwIfAborted } from '../errors.js';
import { type LineReaderCounters, readLinesForward } from './line-reader.js';
import type { LogFile } from './log-files.js';
import type { SearchFs } from './search-fs.js';
import type { SearchCursor } from './search-key.js';
import type { LineFilter, SearchEntry } from './search-order.js';

/** Event ids that appear verbatim in a JSON line (no escaping possible). */
const PLAIN_KEY = /^[A-Za-z0-9._:@+-]{1,256}$/;
/** Teleport's key for an event without an id: hex SHA-256 of its JSON (see checkpointOf). */
const HEX_KEY = /^[0-9a-f]{64}$/;

export const isHashKey = (key: string): boolean => HEX_KEY.test(key);
/** An event id that a substring scan can find (hash keys need every event's JSON). */
export const isLocatableKey = (key: string): boolean => PLAIN_KEY.test(key) && !HEX_KEY.test(key);

export interface LocateKeyOptions {
  fs: SearchFs;
  maxLineBytes: number;
  accept: LineFilter;
  cmp: (a: SearchCursor, b: SearchCursor) => number;
  /** Bytes read and lines too long are added here. */
  counters: LineReaderCounters;
  signal?: AbortSignal;
}

/** Position of the first (in sort order) accepted event whose uid is `key`; null when none. */
export async function locateKey(files: readonly LogFile[], key: string, options: LocateKeyOptions): Promise<SearchCursor | null> {
  const needle = `"uid":"${key}"`;
  let best: SearchEntry | null = null;
  for (const file of files) {
    throwIfAborted(options.signal);
    const handle = await options.fs.open(file.path);
    const own: LineReaderCounters = { bytesRead: 0, linesTooLong: 0 };
    try {
      for await (const line of readLinesForward(handle, options.maxLineBytes, own)) {
        if (!line.includes(needle)) continue;
        const entry = options.accept(line, file.id, own.lineOffset ?? 0);
        if (entry && entry.fields.uid === key && (!best || options.cmp(entry, best) < 0)) best = entry;
      }
    } finally {
      options.counters.bytesRead += own.bytesRead;
      options.counters.linesTooLong += own.linesTooLong;
      await handle.close();
    }
  }
  return best;
}
