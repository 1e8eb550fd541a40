// A Streamer whose streams put every event on disk within maxDelayMs of recording it: the first
// event is flushed at once (a recording exists from the start), later ones by a timer that one
// flush serves for every event recorded meanwhile. Used by `record` with unpadded parts on a local
// FileUploader, so a killed recorder loses at most the last moments and no space goes to padding.
import type { ProtoStream } from '../../stream/proto-stream.js';
import type { ProtoStreamer } from '../../stream/proto-streamer.js';
import type { StatusSource, AuditStream, Streamer, StreamerCallOptions } from '../../stream/streamer.js';
import type { AuditEventInput } from '../../events/event.js';

export class PromptFlushStreamer implements Streamer {
  constructor(private readonly inner: ProtoStreamer, private readonly maxDelayMs: number) {}

  async createAuditStream(sessionId: string, options?: StreamerCallOptions): Promise<AuditStream> {
    return new PromptFlushStream(await this.inner.createAuditStream(sessionId, options), this.maxDelayMs);
  }

  async resumeAuditStream(sessionId: string, uploadId: string, options?: StreamerCallOptions): Promise<AuditStream> {
    return new PromptFlushStream(await this.inner.resumeAuditStream(sessionId, uploadId, options), this.maxDelayMs);
  }
}

class PromptFlushStream implements AuditStream {
  private timer: NodeJS.Timeout | null = null;
  private flushedOnce = false;
  private ended = false;

  constructor(private readonly inner: ProtoStream, private readonly maxDelayMs: number) {}

  get uploadId(): string { return this.inner.uploadId; }
  get sessionId(): string { return this.inner.sessionId; }
  get status(): StatusSource { return this.inner.status; }
  get done(): Promise<void> { return this.inner.done; }

  async recordEvent(event: AuditEventInput): Promise<void> {
    await this.inner.recordEvent(event);
    if (this.timer || this.ended) return;
    // A failed flush fails the stream: the next recordEvent or complete reports it.
    const flush = () => {
      this.timer = null;
      this.flushedOnce = true;
      if (!this.ended) this.inner.flush().catch(() => {});
    };
    if (!this.flushedOnce) flush();
    else this.timer = setTimeout(flush, this.maxDelayMs);
  }

  complete(): Promise<void> {
    this.stop();
    return this.inner.complete();
  }

  close(): Promise<void> {
    this.stop();
    return this.inner.close();
  }

  private stop(): void {
    this.ended = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }
}
