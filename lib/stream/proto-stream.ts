// ProtoStream: writes one session recording as a multipart upload of ProtoStream V1 parts.
//
// Events are framed into chunks of CHUNK_BYTES (a ChunkStager); each full chunk is compressed and
// appended to the current part (a Slice). A part is cut when header + compressed bytes reach
// minUploadBytes, or when reading it would near our reader's default memory budget
// (WRITTEN_PART_MAX_READ_COST: highly compressible output); a cut part is padded with zeros to exactly minUploadBytes when shorter, and the
// last part (complete) is never padded (nor any part with padParts: false, for local disks).
// Part numbers follow Teleport: a new part reserves ++lastPartNumber, an upload uses it and
// increments again, so parts are 1, 3, 5, ...
//
// Parallel compression: full chunks are compressed on libuv's pool while the next ones are framed,
// and are appended to parts strictly in order once compressed. Whether a part is full only changes
// when a chunk is appended, and a chunk's records do not depend on the part it lands in, so the
// parts (and where they are cut) are byte for byte those of compressing each chunk at once.
import { ReservePartError } from './reserve-part-error.js';
import { setMaxListeners } from 'node:events';
import { availableParallelism } from 'node:os';
import { AuditcastError, abortError, toAuditcastError } from '../errors.js';
import type { DeflatedChunk, PrintBatch, SliceCodec } from '../codec/codec.js';
import { codec as defaultCodec } from '../codec/index.js';
import { ConcurrentUploadsPerStream, InactivityFlushPeriod, MinUploadPartSizeBytes } from '../events/constants.generated.js';
import { auditStoredTrimmedEvents } from '../metrics.js';
import { CHUNK_BYTES, GZIP_HEADER, PART_HEADER_SIZE, WRITTEN_PART_MAX_READ_COST } from '../codec/part-format.js';
import { PRINT_FIELDS, PrintField, framePrintsJs } from '../codec/print-batch.js';
import type { AuditEventInput } from '../events/event.js';
import type { MultipartUploader, StreamPart, StreamUpload } from './multipart-uploader.js';
import { type RetryOptions, withRetry } from './retry.js';
import { ChunkStager, type ChunkRecords, type EventTrimmer, Slice } from './slice.js';
import { StatusChannel, type StreamStatus } from './status-channel.js';
import type { AuditStream } from './streamer.js';

/** The seed's ProtoStreamConfig: `uploader` and `upload` are required, the rest have defaults. */
export interface ProtoStreamConfig {
  uploader: MultipartUploader;
  upload: StreamUpload;
  /** Default: the package's codec (native, else JS). */
  codec?: SliceCodec;
  /** Default MinUploadPartSizeBytes (5 MiB). */
  minUploadBytes?: number;
  /** Default ConcurrentUploadsPerStream (1). */
  concurrentUploads?: number;
  /** Default InactivityFlushPeriod (5 minutes). */
  inactivityFlushMs?: number;
  /** Pad cut parts to minUploadBytes (S3 needs it for every part but the last; a local disk does not). Default true. */
  padParts?: boolean;
  retry?: RetryOptions;
  /** Parts already uploaded (resume); default none. */
  completedParts?: readonly StreamPart[];
  trim?: EventTrimmer;
  signal?: AbortSignal;
  now?: () => Date;
  /** Compress chunks on libuv's pool while the next ones are framed (default: off, see PARALLEL_COMPRESSION_DEFAULT). */
  parallelCompression?: boolean;
}

type FullConfig = Required<Omit<ProtoStreamConfig, 'trim' | 'signal' | 'parallelCompression'>> & Pick<ProtoStreamConfig, 'trim' | 'signal' | 'parallelCompression'>;

/** The seed's ProtoStreamConfig.CheckAndSetDefaults. */
function withDefaults(cfg: ProtoStreamConfig): FullConfig {
  return {
    ...cfg,
    codec: cfg.codec ?? defaultCodec,
    minUploadBytes: cfg.minUploadBytes ?? MinUploadPartSizeBytes,
    concurrentUploads: cfg.concurrentUploads ?? ConcurrentUploadsPerStream,
    inactivityFlushMs: cfg.inactivityFlushMs ?? InactivityFlushPeriod,
    padParts: cfg.padParts ?? true,
    retry: cfg.retry ?? {},
    completedParts: cfg.completedParts ?? [],
    now: cfg.now ?? (() => new Date()),
  };
}

/** A chunk handed to the pool, not yet appended to a part. */
interface PendingChunk extends ChunkRecords {
  settled: boolean;
  deflated: DeflatedChunk | null;
  error: unknown;
  readonly ready: Promise<void>;
}

/**
 * Parallel compression is off unless asked. Measured on 2 quiet vCPUs (2026-12-01 07:32 UTC, the
 * 41 MB bulk capture through SessionWriter, native): 0.53-0.6x raw gzip-1 with it against 0.7-0.8x
 * serial, using ~45 % more CPU, the extra being page faults on fresh per-chunk buffers and copies
 * (perf); with many sessions it also raised peak RSS (500 sessions: 362-370 MiB against 261 MiB).
 */
export const PARALLEL_COMPRESSION_DEFAULT = false;

/** Chunks compressing at once per stream: enough to keep every core busy, few enough to bound memory. */
const MAX_PENDING_CHUNKS = Math.max(2, availableParallelism());

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

  private readonly cfg: FullConfig;
  private state: State = 'open';
  private failure: AuditcastError | null = null;
  private current!: Slice;
  private readonly stager = new ChunkStager();
  /** Compressed (or compressing) chunks in order, waiting to be appended to a part. */
  private readonly pending: PendingChunk[] = [];
  private readonly parallel: boolean;
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

  private readonly onAbort: (() => void) | null = null;

  private constructor(cfg: FullConfig) {
    this.cfg = cfg;
    this.uploadId = cfg.upload.id;
    this.sessionId = cfg.upload.sessionId;
    this.completedParts = [...cfg.completedParts];
    this.slots = Math.max(1, cfg.concurrentUploads);
    // With parts so small that an empty one is already full, each record is its own part and
    // there is nothing to overlap.
    this.parallel = (cfg.parallelCompression ?? PARALLEL_COMPRESSION_DEFAULT) && cfg.codec.deflateChunkAsync !== undefined
      && PART_HEADER_SIZE + GZIP_HEADER.length < cfg.minUploadBytes;
    this.done = new Promise((resolve) => { this.resolveDone = resolve; });
    // Every part upload in flight (up to concurrentUploads) listens on this signal.
    setMaxListeners(0, this.aborter.signal);
    if (cfg.completedParts.length > 0) {
      // Skip two part numbers past the last completed one, so a part still being flushed by an
      // earlier process is never overwritten.
      this.lastPartNumber = Math.max(...cfg.completedParts.map((p) => p.number)) + 1;
    }
    const signal = cfg.signal;
    if (signal) {
      this.onAbort = () => this.cancel(abortError(signal));
      signal.addEventListener('abort', this.onAbort, { once: true });
    }
  }

  /** Creates the stream and reserves its first part (errors from the uploader surface here). */
  static async open(config: ProtoStreamConfig): Promise<ProtoStream> {
    const cfg = withDefaults(config);
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
    let ends: Uint32Array;
    try {
      ends = new Uint32Array(batch.numbers.length / PRINT_FIELDS);
      framed = (this.cfg.codec.framePrints ?? framePrintsJs)(batch, ends);
    } catch (err) {
      return Promise.reject(err);
    }
    const run = () => this.recordFramed(framed, ends, batch.numbers, 0);
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
      await this.appendStaged();
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
    if (this.stager.add(event, this.cfg.trim)) {
      this.stats.trimmedEvents++;
      auditStoredTrimmedEvents.inc();
    }
    this.stats.events++;
    this.touch();
    return this.afterAdd();
  }

  /**
   * Feeds framed records to the stager in runs that end where a chunk ends, so a batch makes the
   * same chunks and parts as its prints recorded one by one. `ends[i]` is where record i ends.
   */
  private recordFramed(framed: Uint8Array, ends: Uint32Array, numbers: Float64Array, from: number): Promise<void> {
    const count = ends.length;
    let record = from;
    while (record < count) {
      if (this.failure) throw this.failure;
      // A part already full takes one more record and is cut, as with recordEvent.
      const single = !this.parallel && this.isFull(this.current);
      const start = record === 0 ? 0 : ends[record - 1];
      const room = CHUNK_BYTES - this.stager.bytes;
      let maxIndex = -1;
      let end = record;
      do {
        maxIndex = Math.max(maxIndex, numbers[end * PRINT_FIELDS + PrintField.Index]);
        end++;
      } while (!single && end < count && ends[end - 1] - start < room);
      this.stager.addFramed(framed.subarray(start, ends[end - 1]), end - record, maxIndex);
      this.stats.events += end - record;
      this.touch();
      record = end;
      const next = this.afterAdd();
      if (next !== RESOLVED) {
        return next.then(() => (end < count ? this.recordFramed(framed, ends, numbers, end) : undefined));
      }
    }
    return RESOLVED;
  }

  /** Full at the part size, or when our reader's default budget would be near (WRITTEN_PART_MAX_READ_COST). */
  private isFull(slice: Slice): boolean {
    return PART_HEADER_SIZE + slice.compressedBytes >= this.cfg.minUploadBytes || slice.readCost >= WRITTEN_PART_MAX_READ_COST;
  }

  /** After records were staged: compresses a full chunk and cuts a full part (or hands the chunk to the pool). */
  private afterAdd(): Promise<void> {
    if (this.parallel) {
      if (!this.stager.isFull) return RESOLVED;
      this.compressInPool();
      return this.appendCompressed(false);
    }
    if (this.stager.isFull) this.current.addChunk(this.stager.takeView());
    if (!this.isFull(this.current)) return RESOLVED;
    this.current.addChunk(this.stager.takeView());
    return this.cut(false);
  }

  private compressInPool(): void {
    const chunk = this.stager.takeOwned();
    const entry: PendingChunk = {
      events: chunk.events,
      maxIndex: chunk.maxIndex,
      settled: false,
      deflated: null,
      error: null,
      ready: this.cfg.codec.deflateChunkAsync!(chunk.bytes).then(
        (deflated) => { entry.deflated = deflated; },
        (err: unknown) => { entry.error = err; },
      ).finally(() => {
        entry.settled = true;
        if (this.pending[0] === entry) this.drainReady();
      }),
    };
    this.pending.push(entry);
  }

  /**
   * Appends the chunks compressed so far once the oldest is ready, without waiting for the next
   * chunk to fill: a full part is uploaded (and acknowledged) as soon as its last chunk is
   * compressed, as without parallel compression, not when more output happens to arrive.
   */
  private drainReady(): void {
    if (this.failure || this.state === 'completed' || this.state === 'closed') return;
    // A failure is the stream's (this.failure, `done`); the caller of the next operation sees it.
    this.enqueue(() => this.appendCompressed(false)).catch(() => undefined);
  }

  /**
   * Appends compressed chunks to parts in order, cutting each part where it becomes full. Waits
   * for a chunk still compressing only when `all`, or when too many are in flight.
   */
  private appendCompressed(all: boolean): Promise<void> {
    // Also after a wait: a failed stream's pending chunks are dropped, and appending must not resume.
    if (this.failure) throw this.failure;
    while (this.pending.length > 0) {
      const head = this.pending[0];
      if (!head.settled) {
        if (!all && this.pending.length <= MAX_PENDING_CHUNKS) return RESOLVED;
        return head.ready.then(() => this.appendCompressed(all));
      }
      this.pending.shift();
      if (head.error) throw this.fail(head.error);
      this.current.addDeflated(head.deflated!, head);
      if (this.isFull(this.current)) return this.cut(false).then(() => this.appendCompressed(all));
    }
    return RESOLVED;
  }

  /** Appends everything recorded so far to the current part (before a flush or the last part). */
  private async appendStaged(): Promise<void> {
    if (this.parallel) await this.appendCompressed(true);
    this.current.addChunk(this.stager.takeView());
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
      const base = toAuditcastError(err);
      throw this.fail(new ReservePartError(base.code, `uploader failed to reserve upload part: ${base.message}`, { cause: base }));
    }
    this.current = new Slice(this.cfg.codec, number);
  }

  private async finish(kind: 'completing' | 'closing'): Promise<void> {
    if (this.failure) throw this.failure;
    if (this.state === 'open') this.state = kind;
    this.disarmTimer();
    const run = (this.tail ?? RESOLVED).then(async () => {
      if (this.failure) throw this.failure;
      await this.appendStaged();
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
    if (!this.current.isEmpty || !this.stager.isEmpty || this.pending.length > 0) this.flush().catch(() => undefined);
  }

  private acquireSlot(): Promise<void> {
    // A failed stream starts no upload (cut checks), so it must not wait for a slot either.
    if (this.failure) return RESOLVED;
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
      const base = toAuditcastError(err);
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
    // A long-lived signal must not keep every finished stream alive.
    if (this.onAbort) this.cfg.signal?.removeEventListener('abort', this.onAbort);
    this.disarmTimer();
    this.status.close();
    for (const waiter of this.slotWaiters.splice(0)) waiter();
    // Chunks still compressing settle on their own; nothing will append them now.
    this.pending.length = 0;
    this.resolveDone();
  }
}
