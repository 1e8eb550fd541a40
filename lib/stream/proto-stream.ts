// ProtoStream: writes one session recording as a multipart upload of ProtoStream V1 parts.
//
// Events are framed into the current part (a Slice). A part is cut when header + compressed bytes
// reach minUploadBytes; a cut part is padded with zeros to exactly minUploadBytes when shorter, and
// the last part (complete) is never padded (nor any part with padParts: false, for local disks).
// Part numbers follow Teleport: a new part reserves ++lastPartNumber, an upload uses it and
// increments again, so parts are 1, 3, 5, ...
import { setMaxListeners } from 'node:events';
import { AuditcastError, abortError } from '../errors.js';
import type { SliceCodec } from '../codec/codec.js';
import { auditStoredTrimmedEvents } from '../metrics.js';
import type { PrintBatch } from '../codec/codec.js';
import { CHUNK_BYTES, PART_HEADER_SIZE, RECORD_HEADER_SIZE } from '../codec/part-format.js';
import { PRINT_FIELDS, PrintField, framePrintsJs } from '../codec/print-batch.js';
import type { AuditEventInput } from '../events/event.js';
import type { MultipartUploader, StreamPart, StreamUpload } from './multipart-uploader.js';
import { type RetryOptions, withRetry } from './retry.js';
import { type EventTrimmer, Slice } from './slice.js';
import { StatusChannel, type StreamStatus } from './status-channel.js';
import type { AuditStream } from './streamer.js';

export interface ProtoStreamConfig {
  uploader: MultipartUploader;
  upload: StreamUpload;
  codec: SliceCodec;
  minUploadBytes: number;
  concurrentUploads: number;
  inactivityFlushMs: number;
  /** Pad cut parts to minUploadBytes (S3 needs it for every part but the last; a local disk does not). Default true. */
  padParts?: boolean;
  retry: RetryOptions;
  /** Parts already uploaded (resume). */
  completedParts: readonly StreamPart[];
  trim?: EventTrimmer;
  signal?: AbortSignal;
  now: () => Date;
}

export interface ProtoStreamStats {
  events: number;
  partsUploaded: number;
  bytesUploaded: number;
  trimmedEvents: number;
  uploadRetries: number;
}

type State = 'open' | 'completing' | 'closing' | 'completed' | 'closed' | 'failed';

const RESOLVED = Promise.resolve();

export class ProtoStream implements AuditStream {
  readonly uploadId: string;
  readonly sessionId: string;
  /** Status updates: one with lastEventIndex -1 at start, then one per uploaded part. */
  readonly status = new StatusChannel();
  /** Settles when the stream has completed, closed, failed or been canceled. Never rejects. */
  readonly done: Promise<void>;
  readonly stats: ProtoStreamStats = { events: 0, partsUploaded: 0, bytesUploaded: 0, trimmedEvents: 0, uploadRetries: 0 };

  private readonly cfg: ProtoStreamConfig;
  private state: State = 'open';
  private failure: AuditcastError | null = null;
  private current!: Slice;
  private lastPartNumber = 0;
  private readonly completedParts: StreamPart[];
  private readonly inFlight = new Set<Promise<void>>();
  /** Parts in the order they were cut; a status is sent only once every earlier part is done. */
  private readonly unreported: { lastEventIndex: number; done: boolean }[] = [];
  private slots: number;
  private readonly slotWaiters: (() => void)[] = [];
  /** Serializes work that must wait (cuts, flushes, complete); null when idle. */
  private tail: Promise<void> | null = null;
  private finishing: Promise<void> | null = null;
  private timer: NodeJS.Timeout | null = null;
  private lastEventAt = 0;
  private readonly aborter = new AbortController();
  private resolveDone!: () => void;

  private constructor(cfg: ProtoStreamConfig) {
    this.cfg = cfg;
    this.uploadId = cfg.upload.id;
    this.sessionId = cfg.upload.sessionId;
    this.completedParts = [...cfg.completedParts];
    this.slots = Math.max(1, cfg.concurrentUploads);
    this.done = new Promise((resolve) => { this.resolveDone = resolve; });
    // Every part upload in flight (up to concurrentUploads) listens on this signal.
    setMaxListeners(0, this.aborter.signal);
    if (cfg.completedParts.length > 0) {
      // Skip two part numbers past the last completed one, so a part still being flushed by an
      // earlier process is never overwritten.
      this.lastPartNumber = Math.max(...cfg.completedParts.map((p) => p.number)) + 1;
    }
    cfg.signal?.addEventListener('abort', () => this.cancel(abortError(cfg.signal!)), { once: true });
  }

  /** Creates the stream and reserves its first part (errors from the uploader surface here). */
  static async open(cfg: ProtoStreamConfig): Promise<ProtoStream> {
    const stream = new ProtoStream(cfg);
    await stream.newSlice();
    stream.status.push({ uploadId: stream.uploadId, lastEventIndex: -1, lastUploadTime: cfg.now() });
    return stream;
  }

  get lastStatus(): StreamStatus | null {
    return this.status.last;
  }

  /** The error that ended the stream, if any. */
  get error(): AuditcastError | null {
    return this.failure;
  }

  /** Records one event. Resolves once it is framed (and, at a part boundary, its part started). */
  recordEvent(event: AuditEventInput): Promise<void> {
    if (this.failure) return Promise.reject(this.failure);
    if (this.state !== 'open') {
      return Promise.reject(new AuditcastError('COMPLETED', `stream ${this.sessionId} has been ${this.state === 'completing' || this.state === 'completed' ? 'completed' : 'closed'}`));
    }
    if (this.tail) return this.enqueue(() => this.recordNow(event));
    try {
      const cut = this.recordNow(event);
      if (cut === RESOLVED) return RESOLVED;
      return this.track(cut);
    } catch (err) {
      return Promise.reject(err);
    }
  }

  /**
   * Records a batch of print events without building an object per event (the fast path for
   * terminal output; see PrintBatch). The recording is byte-identical to recording the same prints
   * one by one with recordEvent.
   */
  recordPrintBatch(batch: PrintBatch): Promise<void> {
    if (this.failure) return Promise.reject(this.failure);
    if (this.state !== 'open') return Promise.reject(new AuditcastError('COMPLETED', `stream ${this.sessionId} is no longer open`));
    let framed: Uint8Array;
    try {
      framed = (this.cfg.codec.framePrints ?? framePrintsJs)(batch);
    } catch (err) {
      return Promise.reject(err);
    }
    const run = () => this.recordFramed(framed, batch.numbers, 0, 0);
    if (this.tail) return this.enqueue(run);
    try {
      const pending = run();
      return pending === RESOLVED ? RESOLVED : this.track(pending);
    } catch (err) {
      return Promise.reject(err);
    }
  }

  /** Uploads the current part now, padded (Teleport's ForceFlush). */
  flush(): Promise<void> {
    if (this.failure) return Promise.reject(this.failure);
    return this.enqueue(async () => {
      if (!this.current.isEmpty) await this.cut(false);
    });
  }

  /** Uploads what is left as the last part, waits for every upload and completes the upload. */
  complete(): Promise<void> {
    this.finishing ??= this.finish('completing');
    return this.finishing;
  }

  /** Uploads what is left (padded) and waits, leaving the upload open to be resumed. */
  close(): Promise<void> {
    this.finishing ??= this.finish('closing');
    return this.finishing;
  }

  // ------------------------------------------------------------------------------------------

  private recordNow(event: AuditEventInput): Promise<void> {
    if (this.failure) throw this.failure;
    const slice = this.current;
    const trimmedBefore = slice.trimmed;
    slice.add(event);
    this.stats.events++;
    if (slice.trimmed > trimmedBefore) {
      this.stats.trimmedEvents++;
      auditStoredTrimmedEvents.inc();
    }
    this.touch();
    if (PART_HEADER_SIZE + slice.encoder.compressedBytes >= this.cfg.minUploadBytes) return this.cut(false);
    return RESOLVED;
  }

  /** Feeds framed records to the current part in runs, cutting parts exactly where recordEvent would. */
  private recordFramed(framed: Uint8Array, numbers: Float64Array, from: number, record: number): Promise<void> {
    const min = this.cfg.minUploadBytes;
    let pos = from;
    let rec = record;
    while (pos < framed.length) {
      if (this.failure) throw this.failure;
      const slice = this.current;
      // A part already full takes one more record and is cut, as with recordEvent.
      const full = PART_HEADER_SIZE + slice.encoder.compressedBytes >= min;
      const runStart = pos;
      let maxIndex = -1;
      let count = 0;
      do {
        const length = ((framed[pos] << 24) | (framed[pos + 1] << 16) | (framed[pos + 2] << 8) | framed[pos + 3]) >>> 0;
        pos += RECORD_HEADER_SIZE + length;
        maxIndex = Math.max(maxIndex, numbers[rec * PRINT_FIELDS + PrintField.Index]);
        rec++;
        count++;
      } while (!full && pos < framed.length && slice.stagedBytes + (pos - runStart) < CHUNK_BYTES);
      slice.addFramed(framed.subarray(runStart, pos), count, maxIndex);
      this.stats.events += count;
      this.touch();
      if (PART_HEADER_SIZE + slice.encoder.compressedBytes >= min) {
        const next = pos;
        const nextRecord = rec;
        return this.cut(false).then(() => (next < framed.length ? this.recordFramed(framed, numbers, next, nextRecord) : undefined));
      }
    }
    return RESOLVED;
  }

  private enqueue(work: () => Promise<void>): Promise<void> {
    const run = (this.tail ?? RESOLVED).then(() => {
      if (this.failure) throw this.failure;
      return work();
    });
    return this.track(run);
  }

  private track(run: Promise<void>): Promise<void> {
    const tail = run.catch(() => undefined).then(() => {
      if (this.tail === tail) this.tail = null;
    });
    this.tail = tail;
    return run;
  }

  /** Finishes the current part and starts its upload; opens the next part unless it is the last. */
  private async cut(isLast: boolean): Promise<void> {
    const slice = this.current;
    await this.acquireSlot();
    if (this.failure) throw this.failure;
    const partNumber = this.lastPartNumber;
    let body: Uint8Array;
    try {
      body = slice.finish(isLast || this.cfg.padParts === false ? 0 : this.cfg.minUploadBytes);
    } catch (err) {
      this.releaseSlot();
      throw this.fail(err);
    }
    this.lastPartNumber++;
    const entry = { lastEventIndex: slice.lastEventIndex, done: false };
    this.unreported.push(entry);
    const upload = this.uploadPart(partNumber, body, entry);
    this.inFlight.add(upload);
    void upload.finally(() => this.inFlight.delete(upload));
    if (!isLast) await this.newSlice();
  }

  private async uploadPart(partNumber: number, body: Uint8Array, entry: { done: boolean }): Promise<void> {
    const { uploader, upload, retry } = this.cfg;
    let attempts = 0;
    try {
      const part = await withRetry(() => {
        if (attempts++ > 0) this.stats.uploadRetries++;
        return uploader.uploadPart(upload, partNumber, body, { signal: this.aborter.signal });
      }, retry, this.aborter.signal);
      this.completedParts.push(part);
      this.stats.partsUploaded++;
      this.stats.bytesUploaded += body.length;
      entry.done = true;
      this.reportUploaded();
    } catch (err) {
      this.fail(err);
    } finally {
      this.releaseSlot();
    }
  }

  /**
   * Sends a status for each part whose upload and every earlier part's are done, so a status never
   * acknowledges events behind a part still uploading (resuming from it cannot skip events).
   */
  private reportUploaded(): void {
    while (this.unreported.length > 0 && this.unreported[0].done) {
      const { lastEventIndex } = this.unreported.shift()!;
      this.status.push({ uploadId: this.uploadId, lastEventIndex, lastUploadTime: this.cfg.now() });
    }
  }

  private async newSlice(): Promise<void> {
    const number = ++this.lastPartNumber;
    try {
      await this.cfg.uploader.reserveUploadPart(this.cfg.upload, number, { signal: this.aborter.signal });
    } catch (err) {
      throw this.fail(err, 'uploader failed to reserve upload part');
    }
    this.current = new Slice(this.cfg.codec, number, this.cfg.trim);
  }

  private async finish(kind: 'completing' | 'closing'): Promise<void> {
    if (this.failure) throw this.failure;
    if (this.state === 'open') this.state = kind;
    this.disarmTimer();
    const run = (this.tail ?? RESOLVED).then(async () => {
      if (this.failure) throw this.failure;
      if (!this.current.isEmpty) await this.cut(kind === 'completing');
      while (this.inFlight.size > 0) await Promise.all([...this.inFlight]);
      if (this.failure) throw this.failure;
      if (kind === 'completing') {
        const parts = [...this.completedParts].sort((a, b) => a.number - b.number);
        try {
          // With no parts this lets the uploader drop the upload: an empty stream leaves no object.
          // Retried like a part: uploaders treat completing again with the same parts as done, so
          // a completion whose answer was lost is not reported as a failure.
          await withRetry(() => this.cfg.uploader.completeUpload(this.cfg.upload, parts, { signal: this.aborter.signal }), this.cfg.retry, this.aborter.signal);
        } catch (err) {
          throw this.fail(err);
        }
      }
      this.state = kind === 'completing' ? 'completed' : 'closed';
      this.end();
    });
    this.tail = run.catch(() => undefined);
    return run;
  }

  private touch(): void {
    this.lastEventAt = Date.now();
    if (this.timer || this.cfg.inactivityFlushMs <= 0) return;
    this.armTimer(this.cfg.inactivityFlushMs);
  }

  private armTimer(ms: number): void {
    this.timer = setTimeout(() => this.onInactivity(), ms);
    this.timer.unref?.();
  }

  private disarmTimer(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  private onInactivity(): void {
    this.timer = null;
    if (this.state !== 'open' || this.failure) return;
    const idle = Date.now() - this.lastEventAt;
    if (idle < this.cfg.inactivityFlushMs) {
      this.armTimer(this.cfg.inactivityFlushMs - idle);
      return;
    }
    if (!this.current.isEmpty) this.flush().catch(() => undefined);
  }

  private acquireSlot(): Promise<void> {
    if (this.slots > 0) {
      this.slots--;
      return RESOLVED;
    }
    return new Promise((resolve) => this.slotWaiters.push(resolve));
  }

  private releaseSlot(): void {
    const next = this.slotWaiters.shift();
    if (next) next();
    else this.slots++;
  }

  private fail(err: unknown, context?: string): AuditcastError {
    if (!this.failure) {
      const base = err instanceof AuditcastError ? err
        : new AuditcastError('CONNECTION_PROBLEM', (err as Error)?.message ?? String(err), { cause: err });
      this.failure = context ? new AuditcastError(base.code, `${context}: ${base.message}`, { cause: base }) : base;
      this.state = 'failed';
      this.aborter.abort(this.failure);
      this.end();
    }
    return this.failure;
  }

  private cancel(reason: AuditcastError): void {
    if (this.state === 'completed' || this.state === 'closed') return;
    this.fail(reason);
  }

  private end(): void {
    this.disarmTimer();
    this.status.close();
    for (const waiter of this.slotWaiters.splice(0)) waiter();
    this.resolveDone();
  }
}
