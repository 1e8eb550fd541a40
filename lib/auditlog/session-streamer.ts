// The seed's SessionStreamer and AuditLogSessionStreamer: what reads a recorded session back
// (AuditLog implements both; DiscardAuditLog too).
import type { CallOptions } from '../call-options.js';
import type { AuditEvent } from '../events/event.js';
import type { EventFields } from './event-json.js';
import type { AuditLogger } from './multi-log.js';

export interface SessionStreamer {
  /** Up to `maxBytes` of the session's terminal output from `offset` (maxBytes above MaxChunkBytes is rounded down). */
  getSessionChunk(sessionId: string, offset: number, maxBytes: number, options?: CallOptions): Promise<Buffer>;
  /** The session's events after index `after`, in Teleport's map form. */
  getSessionEvents(sessionId: string, after?: number, options?: CallOptions): Promise<EventFields[]>;
  /** The session's events from `startIndex`, as they were recorded. */
  streamSessionEvents(sessionId: string, startIndex?: number, options?: CallOptions): AsyncIterable<AuditEvent>;
}

/** The primary external interface of an audit log: emit, search, close and read sessions back. */
export type AuditLogSessionStreamer = AuditLogger & SessionStreamer;
