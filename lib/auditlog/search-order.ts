// The order of search results: time, then session and event index (Teleport sorts events of one
// session at the same time by index), then log file and byte offset, so that the order is total
// and a page boundary can be found again from its key.
import type { SearchCursor } from './search-key.js';
import type { EventOrder } from './search-types.js';

/** An accepted log line: its position in the order and its parsed fields. */
export interface SearchEntry extends SearchCursor {
  fields: Record<string, unknown>;
}

/** Turns one log line (of `file`, at byte `offset`) into an entry, or null when the search skips it. */
export type LineFilter = (line: string, file: string, offset: number) => SearchEntry | null;

function ascending(a: SearchCursor, b: SearchCursor): number {
  return a.seconds - b.seconds || a.nanos - b.nanos
    || (a.sid < b.sid ? -1 : a.sid > b.sid ? 1 : 0)
    || a.ei - b.ei || (a.file < b.file ? -1 : a.file > b.file ? 1 : 0) || a.offset - b.offset;
}

function descending(a: SearchCursor, b: SearchCursor): number {
  return ascending(b, a);
}

/** The comparator of an order: negative when `a` comes first. */
export const compareIn = (order: EventOrder): (a: SearchCursor, b: SearchCursor) => number => (order === 'asc' ? ascending : descending);

/** Milliseconds since the epoch of a position's time. */
export const cursorMillis = (c: SearchCursor): number => c.seconds * 1000 + c.nanos / 1e6;
