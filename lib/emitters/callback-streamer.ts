// CallbackStreamer: wraps a streamer and calls hooks on create, resume and every recorded event;
// used to inject failures in tests.
import { checkOptions } from '../options.js';
import type { PrintBatch } from '../codec/codec.js';
import { PRINT_FIELDS, slicePrintBatch } from '../codec/print-batch.js';
import { printBatchEvents } from '../events/print-batch-events.js';
import type { AuditEventInput } from '../events/event.js';
import type { CallOptions } from '../call-options.js';
import type { AuditStream, Streamer } from '../stream/streamer.js';

export interface CallbackStreamerOptions {
  inner: Streamer;
  onCreateAuditStream?: (sessionId: string, inner: Streamer, options?: CallOptions) => Promise<AuditStream>;
  onResumeAuditStream?: (sessionId: string, uploadId: string, inner: Streamer, options?: CallOptions) => Promise<AuditStream>;
  /**
   * Runs before each event reaches the stream; a rejection is the stream's failure. Prints of a
   * batch are passed as event objects, one call each, as if recorded one by one.
   */
  onRecordEvent?: (sessionId: string, event: AuditEventInput) => Promise<void> | void;
}

/** CallbackStream: the stream a CallbackStreamer hands out. */
export class CallbackStream implements AuditStream {
  constructor(private readonly inner: AuditStream, private readonly onRecordEvent?: CallbackStreamerOptions['onRecordEvent']) {}

  get uploadId() { return this.inner.uploadId; }
  get sessionId() { return this.inner.sessionId; }
  get status() { return this.inner.status; }
  get done() { return this.inner.done; }

  async recordEvent(event: AuditEventInput): Promise<void> {
    await this.onRecordEvent?.(this.inner.sessionId, event);
    await this.inner.recordEvent(event);
  }

  async recordPrintBatch(batch: PrintBatch): Promise<void> {
    if (!this.onRecordEvent) return this.inner.recordPrintBatch(batch);
    const events = printBatchEvents(batch);
    for (let i = 0; i < events.length; i++) {
      try {
        await this.onRecordEvent(this.inner.sessionId, events[i]);
      } catch (err) {
        // The prints before the failing one reach the stream, as they would one by one.
        if (i > 0) await this.inner.recordPrintBatch(slicePrintBatch(batch, 0, i));
        throw err;
      }
    }
    if (batch.numbers.length >= PRINT_FIELDS) await this.inner.recordPrintBatch(batch);
  }

  complete(): Promise<void> { return this.inner.complete(); }
  close(): Promise<void> { return this.inner.close(); }
}

export class CallbackStreamer implements Streamer {
  constructor(private readonly options: CallbackStreamerOptions) {
    checkOptions<CallbackStreamerOptions>('CallbackStreamer', options, {
      inner: { kind: 'object', methods: ['createAuditStream', 'resumeAuditStream'], required: true },
      onCreateAuditStream: { kind: 'function' },
      onResumeAuditStream: { kind: 'function' },
      onRecordEvent: { kind: 'function' },
    });
  }

  async createAuditStream(sessionId: string, options?: CallOptions): Promise<AuditStream> {
    const { inner, onCreateAuditStream, onRecordEvent } = this.options;
    const stream = onCreateAuditStream ? await onCreateAuditStream(sessionId, inner, options) : await inner.createAuditStream(sessionId, options);
    return new CallbackStream(stream, onRecordEvent);
  }

  async resumeAuditStream(sessionId: string, uploadId: string, options?: CallOptions): Promise<AuditStream> {
    const { inner, onResumeAuditStream, onRecordEvent } = this.options;
    const stream = onResumeAuditStream
      ? await onResumeAuditStream(sessionId, uploadId, inner, options)
      : await inner.resumeAuditStream(sessionId, uploadId, options);
    return new CallbackStream(stream, onRecordEvent);
  }
}
