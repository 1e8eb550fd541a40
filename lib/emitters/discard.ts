// Emitters, recorders and streamers that accept everything and keep nothing (the seed's Discard*).
import { randomUUID } from 'node:crypto';
import type { PrintBatch } from '../codec/codec.js';
import type { AuditEventInput } from '../events/event.js';
import { StatusChannel } from '../stream/status-channel.js';
import type { AuditStream, Streamer } from '../stream/streamer.js';
import type { Emitter } from './emitter.js';

export class DiscardEmitter implements Emitter {
  async emitAuditEvent(): Promise<void> {}
}

/** A stream that accepts events and writes and drops them. */
export class DiscardRecorder implements AuditStream {
  readonly uploadId = randomUUID();
  readonly status = new StatusChannel();
  readonly done: Promise<void>;
  private resolve!: () => void;

  constructor(readonly sessionId = '') {
    this.done = new Promise((r) => { this.resolve = r; });
    this.status.push({ uploadId: this.uploadId, lastEventIndex: -1, lastUploadTime: new Date() });
  }

  async recordEvent(_event: AuditEventInput): Promise<void> {}
  async recordPrintBatch(_batch: PrintBatch): Promise<void> {}
  async write(_data: Uint8Array): Promise<void> {}
  async complete(): Promise<void> { this.end(); }
  async close(): Promise<void> { this.end(); }

  private end(): void {
    this.status.close();
    this.resolve();
  }
}

export class DiscardStreamer implements Streamer {
  async createAuditStream(sessionId: string): Promise<AuditStream> {
    return new DiscardRecorder(sessionId);
  }

  async resumeAuditStream(sessionId: string): Promise<AuditStream> {
    return new DiscardRecorder(sessionId);
  }
}
