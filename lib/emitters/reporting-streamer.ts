// ReportingStreamer: tells a callback when each stream it made has completed (or failed to).
import type { PrintBatch } from '../codec/codec.js';
import type { AuditEventInput } from '../events/event.js';
import type { CallOptions } from '../call-options.js';
import type { AuditStream, Streamer } from '../stream/streamer.js';

export interface StreamUploadEvent {
  readonly sessionId: string;
  readonly uploadId: string;
  readonly error?: Error;
  readonly created: Date;
}

/** ReportingStream: the stream a ReportingStreamer hands out; reports when it completes. */
export class ReportingStream implements AuditStream {
  constructor(private readonly inner: AuditStream, private readonly report: (event: StreamUploadEvent) => void) {}

  get uploadId() { return this.inner.uploadId; }
  get sessionId() { return this.inner.sessionId; }
  get status() { return this.inner.status; }
  get done() { return this.inner.done; }

  recordEvent(event: AuditEventInput): Promise<void> { return this.inner.recordEvent(event); }
  recordPrintBatch(batch: PrintBatch): Promise<void> { return this.inner.recordPrintBatch(batch); }
  close(): Promise<void> { return this.inner.close(); }

  async complete(): Promise<void> {
    try {
      await this.inner.complete();
      this.report({ sessionId: this.sessionId, uploadId: this.uploadId, created: new Date() });
    } catch (err) {
      this.report({ sessionId: this.sessionId, uploadId: this.uploadId, error: err as Error, created: new Date() });
      throw err;
    }
  }
}

export class ReportingStreamer implements Streamer {
  constructor(private readonly inner: Streamer, private readonly report: (event: StreamUploadEvent) => void) {}

  async createAuditStream(sessionId: string, options?: CallOptions): Promise<AuditStream> {
    return new ReportingStream(await this.inner.createAuditStream(sessionId, options), this.report);
  }

  async resumeAuditStream(sessionId: string, uploadId: string, options?: CallOptions): Promise<AuditStream> {
    return new ReportingStream(await this.inner.resumeAuditStream(sessionId, uploadId, options), this.report);
  }
}
