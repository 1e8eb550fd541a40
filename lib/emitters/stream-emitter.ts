// The seed's StreamEmitter (emits single events and streams session recordings) and
// StreamerAndEmitter, which makes one from a streamer and an emitter.
import type { CallOptions } from '../call-options.js';
import type { AuditEventInput } from '../events/event.js';
import type { AuditStream, Streamer } from '../stream/streamer.js';
import type { Emitter } from './emitter.js';

export interface StreamEmitter extends Emitter, Streamer {}

export class StreamerAndEmitter implements StreamEmitter {
  constructor(readonly streamer: Streamer, readonly emitter: Emitter) {}

  emitAuditEvent(event: AuditEventInput, options?: CallOptions): Promise<void> {
    return this.emitter.emitAuditEvent(event, options);
  }

  createAuditStream(sessionId: string, options?: CallOptions): Promise<AuditStream> {
    return this.streamer.createAuditStream(sessionId, options);
  }

  resumeAuditStream(sessionId: string, uploadId: string, options?: CallOptions): Promise<AuditStream> {
    return this.streamer.resumeAuditStream(sessionId, uploadId, options);
  }
}
