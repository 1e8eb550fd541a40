// The seed's DiscardAuditLog: the audit log used when audit is turned off. Every emit succeeds and
// is dropped; searches find nothing; sessions have no events and no output.
import type { AuditEvent } from '../events/event.js';
import type { EventFields } from './event-json.js';
import type { AuditLogSessionStreamer } from './session-streamer.js';
import type { SearchResult } from './search-types.js';

export class DiscardAuditLog implements AuditLogSessionStreamer {
  async emitAuditEvent(): Promise<void> {}

  async searchEvents(): Promise<SearchResult> {
    return { events: [], lastKey: '' };
  }

  async searchSessionEvents(): Promise<SearchResult> {
    return { events: [], lastKey: '' };
  }

  async getSessionChunk(): Promise<Buffer> {
    return Buffer.alloc(0);
  }

  async getSessionEvents(): Promise<EventFields[]> {
    return [];
  }

  async *streamSessionEvents(): AsyncGenerator<AuditEvent> {}

  async close(): Promise<void> {}
}

/** The seed's NewDiscardAuditLog. */
export function newDiscardAuditLog(): DiscardAuditLog {
  return new DiscardAuditLog();
}
