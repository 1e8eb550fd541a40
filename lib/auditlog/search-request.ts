// The fields a search request may carry: FileLog and PostgresLog refuse any other, so a typo
// (`sessionID`, `types`) is a BAD_PARAMETER instead of a filter silently ignored.
import { badParameter } from '../errors.js';

const SEARCH_EVENTS_KEYS = new Set(['from', 'to', 'eventTypes', 'limit', 'order', 'startKey', 'signal']);
const SEARCH_SESSION_EVENTS_KEYS = new Set(['from', 'to', 'limit', 'order', 'startKey', 'sessionId', 'cond', 'signal']);

function checkKeys(request: object, known: ReadonlySet<string>): void {
  if (request === null || typeof request !== 'object') throw badParameter('a search needs a request object');
  for (const key of Object.keys(request)) if (!known.has(key)) throw badParameter(`unknown search request field ${JSON.stringify(key)}`);
}

export const checkSearchEventsRequest = (request: object): void => checkKeys(request, SEARCH_EVENTS_KEYS);
export const checkSearchSessionEventsRequest = (request: object): void => checkKeys(request, SEARCH_SESSION_EVENTS_KEYS);
