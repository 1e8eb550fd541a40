// Requests and answers of audit log searches (the seed's SearchEventsRequest and
// SearchSessionEventsRequest), shared by FileLog, PostgresLog, AuditLog and SearchEventsLimiter.
import type { AuditEvent } from '../events/event.js';
import type { TimeInput } from '../events/timestamp.js';
import type { EventFields } from './event-json.js';

export type EventOrder = 'asc' | 'desc';

export interface SearchEventsRequest {
  /** Oldest time returned (inclusive). */
  from: TimeInput;
  /** Newest time returned (inclusive). */
  to: TimeInput;
  /** Event types (`event` field) to return; all when empty. */
  eventTypes?: readonly string[];
  /** Page size: default 500, at most 10,000. */
  limit?: number;
  order?: EventOrder;
  /** The `lastKey` of the previous page. */
  startKey?: string;
  signal?: AbortSignal;
}

export interface SearchSessionEventsRequest {
  from: TimeInput;
  to: TimeInput;
  limit?: number;
  order?: EventOrder;
  startKey?: string;
  /** Only events of this session (`sid`). */
  sessionId?: string;
  /** Extra condition on the event's fields (Teleport's Cond). */
  cond?: (fields: EventFields) => boolean;
  signal?: AbortSignal;
}

/**
 * One page as FileLog and PostgresLog run it: either request, with its event types filled in
 * (SearchSessionEvents asks for the session end types).
 */
export interface SearchPageQuery extends SearchSessionEventsRequest {
  /** Event types to return; all when empty. */
  eventTypes: readonly string[];
}

/** What one search read and skipped. */
export interface SearchStats {
  /** Log files whose day falls in the search window. */
  filesMatched: number;
  /** Files actually opened (the rest were not needed for this page). */
  filesOpened: number;
  bytesRead: number;
  linesRead: number;
  /** Lines that are not a JSON object (skipped). */
  linesInvalidJson: number;
  /** Lines longer than maxScanTokenSize (skipped). */
  linesTooLong: number;
  /** JSON objects that do not convert to a typed event (skipped). */
  eventsInvalid: number;
  /** Events found out of time order beyond the reorder window (returned late). */
  outOfOrder: number;
  /** The page resumed from a remembered position instead of looking for startKey from the start. */
  resumed: boolean;
}

export interface SearchResult {
  events: AuditEvent[];
  /** Key of the last event when more may follow; '' when the query is finished. */
  lastKey: string;
  stats?: SearchStats;
}

/** Anything that answers searches (FileLog, AuditLog, a limiter around either). */
export interface EventSearcher {
  searchEvents(request: SearchEventsRequest): Promise<SearchResult>;
  searchSessionEvents(request: SearchSessionEventsRequest): Promise<SearchResult>;
}
