// Which log lines a search page keeps, and their parsed form. Cheap tests come first: a substring
// test for the event types (as Teleport does), then, once the page knows where it starts, the time
// read off the line's head without JSON parsing (Teleport's lines start with the event metadata).
import { Timestamp } from '../events/timestamp.js';
import { EventFields } from './event-json.js';
import { parseEventTime } from './event-time.js';
import type { LineFilter } from './search-order.js';
import type { EventOrder, SearchPageQuery, SearchStats } from './search-types.js';

/** The start of a FastMarshal line of a typed event: ei, event, uid, code, then time. */
const METADATA_PREFIX = /^\{"ei":-?\d+,"event":"(?:[^"\\]|\\.)*",(?:"uid":"(?:[^"\\]|\\.)*",)?(?:"code":"(?:[^"\\]|\\.)*",)?"time":"([^"\\]{1,64})"/;

export interface EventLineFilter {
  accept: LineFilter;
  /** Lines before this time (in the search order) are dropped unparsed from now on. */
  skipBefore(time: Timestamp | undefined): void;
}

export function eventLineFilter(query: Pick<SearchPageQuery, 'eventTypes' | 'sessionId' | 'cond'>, order: EventOrder, stats: SearchStats): EventLineFilter {
  const types = query.eventTypes;
  const typeSet = new Set(types);
  const { sessionId, cond } = query;
  let bound: Timestamp | undefined;
  const tooEarly = (t: Timestamp) => (order === 'asc' ? t.compare(bound!) < 0 : t.compare(bound!) > 0);
  const accept: LineFilter = (line, file, offset) => {
    stats.linesRead++;
    if (types.length > 0 && !types.some((t) => line.includes(t))) return null;
    if (bound) {
      const head = METADATA_PREFIX.exec(line);
      if (head) {
        const t = parseEventTime(head[1]);
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
    const sid = typeof record.sid === 'string' ? record.sid : '';
    if (sessionId && sid !== sessionId) return null;
    if (cond && !cond(new EventFields(record))) return null;
    const time = parseEventTime(record.time);
    const ei = typeof record.ei === 'number' ? record.ei : 0;
    return { seconds: time.seconds, nanos: time.nanos, sid, ei, file, offset, fields: record };
  };
  return { accept, skipBefore: (time) => { bound = time; } };
}
