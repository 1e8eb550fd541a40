// The checks every search backend makes on a page before reading anything: page size within the
// seed's limits, a known order, readable times. Messages name the field.
import { badParameter } from '../errors.js';
import { Timestamp, type TimeInput } from '../events/timestamp.js';
import { EventsIterationLimit, EventsMaxIterationLimit } from './constants.js';
import type { EventOrder, SearchPageQuery } from './search-types.js';

export interface CheckedPage {
  /** The page size: EventsIterationLimit when the query gives none (or 0). */
  limit: number;
  order: EventOrder;
  from: Timestamp;
  to: Timestamp;
}

function searchTime(value: TimeInput, name: string): Timestamp {
  try {
    return Timestamp.from(value);
  } catch (err) {
    throw badParameter(`search ${name}: ${(err as Error).message}`, err);
  }
}

export function checkPageQuery(query: SearchPageQuery): CheckedPage {
  let limit = query.limit ?? 0;
  if (!Number.isInteger(limit)) throw badParameter(`limit must be an integer, got ${query.limit}`);
  if (limit <= 0) limit = EventsIterationLimit;
  if (limit > EventsMaxIterationLimit) throw badParameter(`limit ${limit} exceeds max iteration limit ${EventsMaxIterationLimit}`);
  const order = query.order ?? 'asc';
  if (order !== 'asc' && order !== 'desc') throw badParameter(`order must be asc or desc, got ${JSON.stringify(order)}`);
  return { limit, order, from: searchTime(query.from, 'from'), to: searchTime(query.to, 'to') };
}
