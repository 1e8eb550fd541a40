// The stream contracts (the seed's Streamer and apievents.Stream): ProtoStreamer implements them,
// and emitters, the session writer and test fault injectors wrap them.
import type { CallOptions } from '../call-options.js';
import type { PrintBatch } from '../codec/codec.js';
import type { AuditEventInput } from '../events/event.js';
import type { StreamStatus } from './status-channel.js';

export interface StatusSource extends AsyncIterable<StreamStatus> {
  /** The next status update, or null when the stream has ended. */
  next(): Promise<StreamStatus | null>;
}

export interface AuditStream {
  readonly uploadId: string;
  readonly sessionId: string;
  readonly status: StatusSource;
  /** Settles (never rejects) when the stream has ended for any reason. */
  readonly done: Promise<void>;
  recordEvent(event: AuditEventInput): Promise<void>;
  /**
   * Records a batch of print events already stamped (index, time, offset...), in order: the same
   * as recordEvent on each of them, without an object per print (lib/codec/print-batch.ts).
   */
  recordPrintBatch(batch: PrintBatch): Promise<void>;
  complete(): Promise<void>;
  close(): Promise<void>;
}


export interface Streamer {
  createAuditStream(sessionId: string, options?: CallOptions): Promise<AuditStream>;
  resumeAuditStream(sessionId: string, uploadId: string, options?: CallOptions): Promise<AuditStream>;
}
