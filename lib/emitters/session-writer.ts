// SessionWriter: turns terminal bytes and session events into a recording, and keeps recording
// through stream failures (the seed's SessionWriter, once AuditWriter).
//
// Callers never wait on the network: events go into a bounded queue that one pump drains into the
// stream. Terminal output is queued as print runs (lib/codec/compact-print-run.ts): a write appends
// its prints, stamped by the preparer, to the run at the tail of the queue, with no object per
// print and about 3 bytes per one-byte print, and the stream frames a whole run at once. Events not yet acknowledged by a status update are kept, so when the stream fails the
// pump resumes the upload (or starts a new one when no status was ever seen) and sends them again.
// When the queue stays full past backoffTimeoutMs, events are dropped and counted as lost for
// backoffDurationMs rather than blocking the caller.
import { Writable } from 'node:stream';
import { checkOptions, type OptionsSchema } from '../options.js';
import { AuditcastError, badParameter, toAuditcastError } from '../errors.js';
import type { AuditEvent, AuditEventInput } from '../events/event.js';
import { isPermanentEmitError } from '../events/permanent-error.js';
import { Preparer, type PrintBatchPreparer, type SessionEventPreparer, canPreparePrints } from '../events/preparer.js';
import { CompactPrintRun } from '../codec/compact-print-run.js';
import { MAX_RECORD_BYTES } from '../codec/part-format.js';
import { Timestamp } from '../events/timestamp.js';
import { AuditBackoffTimeout, NetworkBackoffDuration } from '../events/constants.generated.js';
import { auditFailedEmitEvents } from '../metrics.js';
import { type RetryOptions, sleep } from '../stream/retry.js';
import type { AuditStream, Streamer } from '../stream/streamer.js';
import { isReservePartError } from '../stream/reserve-part-error.js';
import { StatusChannel, type StreamStatus } from '../stream/status-channel.js';

export interface SessionWriterOptions {
  sessionId: string;
  streamer: Streamer;
  /** Stamps events (default: a Preparer for this session with the options below). */
  preparer?: SessionEventPreparer;
  serverId?: string;
  namespace?: string;
  clusterName?: string;
  /**
   * Converts written bytes into events (default: print events of at most ~64 KiB, queued as
   * batches without an object per print). Given, every write goes event by event.
   */
  makeEvents?: (data: Uint8Array) => AuditEventInput[];
  /** Events queued for the stream before writes wait (default 1024). */
  bufferSize?: number;
  /** How long a write waits for queue room before events are dropped (default 5 s). */
  backoffTimeoutMs?: number;
  /** How long events are dropped after such a timeout (default 30 s). */
  backoffDurationMs?: number;
  /** Continue this upload instead of creating a new one. */
  uploadId?: string;
  /**
   * Backoff between attempts to create, resume or complete the stream after a failure: linear,
   * `stepMs` more per attempt up to `maxMs`, `maxAttempts` in all (default 1 s, 30 s, 8).
   */
  retry?: RetryOptions;
  now?: () => Date;
  signal?: AbortSignal;
}

const SESSION_WRITER_OPTIONS: OptionsSchema<SessionWriterOptions> = {
  sessionId: { kind: 'string', nonEmpty: true, required: true },
  streamer: { kind: 'object', methods: ['createAuditStream'], required: true },
  preparer: { kind: 'object', methods: ['prepareSessionEvent'] },
  serverId: { kind: 'string' },
  namespace: { kind: 'string' },
  clusterName: { kind: 'string' },
  makeEvents: { kind: 'function' },
  bufferSize: { kind: 'integer', min: 1 },
  backoffTimeoutMs: { kind: 'number', min: 0 },
  backoffDurationMs: { kind: 'number', min: 0 },
  uploadId: { kind: 'string', nonEmpty: true },
  retry: { kind: 'object' },
  now: { kind: 'function' },
  signal: { kind: 'signal' },
};

export interface SessionWriterStats {
  /** Events accepted into the queue. */
  acceptedEvents: number;
  /** Events dropped during backoff or refused as permanently invalid. */
  lostEvents: number;
  /** Writes that had to wait for queue room. */
  slowWrites: number;
  streamsCreated: number;
  streamsResumed: number;
}

/** The stream cannot take more parts at all: give up instead of resuming. */
const isUnrecoverable = isReservePartError;

const PRINT_OVERHEAD_BYTES = 256;
const RESOLVED = Promise.resolve();
// The time of the latest write, shared by every writer of the process: 500 sessions writing in one
// millisecond stamp it with one Timestamp, not one each.
let latestMs = NaN;
let latestTime = Timestamp.ZERO;
const DEFAULT_RECOVERY: Required<RetryOptions> = { stepMs: 1000, maxMs: 30_000, maxAttempts: 8 };

type QueueItem = AuditEvent | CompactPrintRun;

/** A print run is appended to the run sent before it (keepCompact) while both hold less data than this. */
const MERGE_MAX_BYTES = 64 * 1024;

function eventsIn(item: QueueItem): number {
  return item instanceof CompactPrintRun ? item.count : 1;
}

export class SessionWriter {
  readonly sessionId: string;
  readonly stats: SessionWriterStats = { acceptedEvents: 0, lostEvents: 0, slowWrites: 0, streamsCreated: 0, streamsResumed: 0 };
  /** Settles (never rejects) when the writer has completed or failed. */
  readonly done: Promise<void>;

  private readonly options: SessionWriterOptions;
  private readonly preparer: SessionEventPreparer;
  private readonly bufferSize: number;
  private readonly backoffTimeoutMs: number;
  private readonly backoffDurationMs: number;
  private readonly maxPrintBytes: number;
  private readonly recovery: Required<RetryOptions>;
  /** Aborted when the writer fails or its signal fires: stops every wait and retry at once. */
  private readonly stopped = new AbortController();
  private readonly queue: QueueItem[] = [];
  /** Events in the queue (a print run counts each print). */
  private queuedEvents = 0;
  /** Set when write() takes the batch path: the default print events and a preparer that batches. */
  private readonly printPreparer: PrintBatchPreparer | null;
  /** The queue's tail while writes may still append to it. */
  private openRun: CompactPrintRun | null = null;
  private queueWaiter: (() => void) | null = null;
  private pumpTimer: NodeJS.Immediate | null = null;
  /** A run sent and appended to the one before it: its arrays serve the next run (see keepCompact). */
  private spareRun: CompactPrintRun | null = null;
  private roomWaiters: { resolve: (roomed: boolean) => void; deadline: number }[] = [];
  private roomTimer: NodeJS.Timeout | null = null;
  private unacked: QueueItem[] = [];
  private stream: AuditStream | null = null;
  private streamAbort: AbortController | null = null;
  private lastStatus: StreamStatus | null = null;
  private backoffUntil = 0;
  private closing = false;
  private failure: AuditcastError | null = null;
  private completion: Promise<void> | null = null;
  private readonly pumping: Promise<void>;
  private resolveDone!: () => void;

  constructor(options: SessionWriterOptions) {
    checkOptions<SessionWriterOptions>('SessionWriter', options, SESSION_WRITER_OPTIONS);
    this.options = options;
    this.sessionId = options.sessionId;
    this.preparer = options.preparer ?? new Preparer({
      sessionId: options.sessionId, serverId: options.serverId, namespace: options.namespace ?? 'default',
      clusterName: options.clusterName, now: options.now,
    });
    this.bufferSize = options.bufferSize ?? 1024;
    this.backoffTimeoutMs = options.backoffTimeoutMs ?? AuditBackoffTimeout;
    this.backoffDurationMs = options.backoffDurationMs ?? NetworkBackoffDuration;
    this.maxPrintBytes = MAX_RECORD_BYTES - PRINT_OVERHEAD_BYTES - Buffer.byteLength(options.clusterName ?? '');
    this.printPreparer = !options.makeEvents && canPreparePrints(this.preparer) ? this.preparer : null;
    this.recovery = { ...DEFAULT_RECOVERY, ...options.retry };
    this.done = new Promise((resolve) => { this.resolveDone = resolve; });
    const signal = options.signal;
    if (signal?.aborted) this.fail(new AuditcastError('CANCELED', 'session writer canceled'));
    if (signal) {
      const onAbort = () => this.fail(new AuditcastError('CANCELED', 'session writer canceled'));
      signal.addEventListener('abort', onAbort, { once: true });
      // A long-lived signal must not keep every finished writer alive.
      void this.done.then(() => signal.removeEventListener('abort', onAbort));
    }
    void this.done.then(() => this.status.close());
    this.pumping = this.pump();
  }

  /** The error that stopped the writer, if any. */
  get error(): AuditcastError | null {
    return this.failure;
  }

  /** Stream status updates (upload id and last uploaded event index), as the seed's Status() channel. */
  readonly status = new StatusChannel();

  /** The latest stream status. */
  get latestStatus(): StreamStatus | null {
    return this.lastStatus;
  }

  /**
   * Records terminal output as print events. Resolves when they are queued (or counted lost); the
   * data is copied, so the caller may reuse its buffer at once.
   */
  write(data: Uint8Array): Promise<void> {
    if (!this.printPreparer) return this.writeEvents(data);
    if (this.failure) return Promise.reject(this.failure);
    if (this.closing) return Promise.reject(new AuditcastError('COMPLETED', `session writer ${this.sessionId} is closed`));
    if (!(data instanceof Uint8Array)) return Promise.reject(badParameter('SessionWriter.write needs a Uint8Array'));
    if (data.length === 0) return RESOLVED;
    const preparer = this.printPreparer;
    const time = this.timeNow();
    if (this.backoffUntil && Date.now() < this.backoffUntil) {
      // Numbered all the same, as lost events are on the event path.
      this.stats.lostEvents += preparer.preparePrints(data, time, this.maxPrintBytes, null);
      return RESOLVED;
    }
    if (this.queuedEvents < this.bufferSize) {
      const count = preparer.preparePrints(data, time, this.maxPrintBytes, this.tailBuilder(preparer));
      if (count > 0) this.accepted(count);
      return RESOLVED;
    }
    const run = new CompactPrintRun(preparer.printStrings);
    preparer.preparePrints(data, time, this.maxPrintBytes, run);
    return this.enqueueSlow(run);
  }

  /** Stamps and records one session event. */
  recordEvent(event: AuditEventInput): Promise<void> {
    if (this.failure) return Promise.reject(this.failure);
    if (this.closing) return Promise.reject(new AuditcastError('COMPLETED', `session writer ${this.sessionId} is closed`));
    let prepared: AuditEvent;
    try {
      prepared = this.preparer.prepareSessionEvent(event);
    } catch (err) {
      return Promise.reject(toAuditcastError(err, 'BAD_PARAMETER'));
    }
    return this.enqueue(prepared);
  }

  /** Stamps an event without recording it (the seed's PrepareSessionEvent). */
  prepareSessionEvent(event: AuditEventInput): AuditEvent {
    return this.preparer.prepareSessionEvent(event);
  }

  /** Records an event already stamped by a preparer. */
  recordPreparedEvent(event: AuditEvent): Promise<void> {
    if (this.failure) return Promise.reject(this.failure);
    return this.enqueue(event);
  }

  /** Writes everything queued and completes the recording. */
  complete(): Promise<void> {
    this.completion ??= this.finish();
    return this.completion;
  }

  /** Same as complete(): a session writer always finishes the recording it closes (as in the seed). */
  close(): Promise<void> {
    return this.complete();
  }

  /** A Node Writable over write(); end() completes the recording. */
  writable(): Writable {
    return new Writable({
      write: (chunk: Buffer, _encoding, callback) => { this.write(chunk).then(() => callback(), callback); },
      final: (callback) => { this.complete().then(() => callback(), callback); },
    });
  }

  // ------------------------------------------------------------------------------------------

  /** The time of a write; many writes share a millisecond, and so one Timestamp. */
  private timeNow(): Timestamp {
    const ms = this.options.now ? this.options.now().getTime() : Date.now();
    if (ms !== latestMs) {
      latestTime = Timestamp.fromMillis(ms);
      latestMs = ms;
    }
    return latestTime;
  }

  private async writeEvents(data: Uint8Array): Promise<void> {
    const events = this.options.makeEvents ? this.options.makeEvents(data) : this.toPrints(data);
    for (const event of events) {
      const queued = this.recordEvent(event);
      if (queued !== RESOLVED) await queued;
    }
  }

  /** The print run writes append to: the queue's last item when it is the open run, else a new one. */
  private tailBuilder(preparer: PrintBatchPreparer): CompactPrintRun {
    const open = this.openRun;
    if (open !== null && this.queue[this.queue.length - 1] === open) return open;
    const run = this.spareRun ?? new CompactPrintRun(preparer.printStrings);
    this.spareRun = null;
    this.queue.push(run);
    this.openRun = run;
    return run;
  }

  private toPrints(data: Uint8Array): AuditEventInput[] {
    const events: AuditEventInput[] = [];
    const time = Timestamp.fromMillis(this.now().getTime());
    for (let pos = 0; pos < data.length; pos += this.maxPrintBytes) {
      // Every field present from the start: one object shape through preparer and encoder.
      events.push({
        $type: 'SessionPrint',
        Metadata: { Index: 0, Type: 'print', ID: '', Code: '', Time: time, ClusterName: '' },
        ChunkIndex: 0,
        Data: data.subarray(pos, pos + this.maxPrintBytes),
        Bytes: 0,
        DelayMilliseconds: 0,
        Offset: 0,
      });
    }
    return events;
  }

  private now(): Date {
    return this.options.now ? this.options.now() : new Date();
  }

  private enqueue(event: AuditEvent): Promise<void> {
    if (this.backoffUntil && Date.now() < this.backoffUntil) {
      this.stats.lostEvents++;
      return RESOLVED;
    }
    if (this.queuedEvents < this.bufferSize) {
      this.queue.push(event);
      this.accepted(1);
      return RESOLVED;
    }
    return this.enqueueSlow(event);
  }

  private accepted(count: number): void {
    this.queuedEvents += count;
    this.stats.acceptedEvents += count;
    if (!this.queueWaiter) return;
    // The pump waits for the event loop to turn (or the queue to be half full), so the writes of
    // one turn go to the stream as one batch rather than one call per write.
    if (this.queuedEvents >= this.bufferSize / 2) this.wakePump();
    else this.pumpTimer ??= setImmediate(() => this.wakePump());
  }

  private wakePump(): void {
    if (this.pumpTimer) clearImmediate(this.pumpTimer);
    this.pumpTimer = null;
    this.queueWaiter?.();
    this.queueWaiter = null;
  }

  private async enqueueSlow(item: QueueItem): Promise<void> {
    this.stats.slowWrites++;
    const roomed = await this.waitForRoom();
    if (this.failure) throw this.failure;
    if (!roomed) {
      this.stats.lostEvents += eventsIn(item);
      this.backoffUntil = Date.now() + this.backoffDurationMs;
      return;
    }
    this.queue.push(item);
    this.accepted(eventsIn(item));
  }

  /** Resolves true when the queue has room, false after backoffTimeoutMs (one timer for all). */
  private waitForRoom(): Promise<boolean> {
    return new Promise((resolve) => {
      this.roomWaiters.push({ resolve, deadline: Date.now() + this.backoffTimeoutMs });
      if (!this.roomTimer) this.armRoomTimer();
    });
  }

  private armRoomTimer(): void {
    const head = this.roomWaiters[0];
    if (!head) return;
    this.roomTimer = setTimeout(() => {
      this.roomTimer = null;
      const now = Date.now();
      while (this.roomWaiters.length > 0 && this.roomWaiters[0].deadline <= now) this.roomWaiters.shift()!.resolve(false);
      this.armRoomTimer();
    }, Math.max(0, head.deadline - Date.now()));
  }

  /** Gives queue room to waiting writers, oldest first. */
  private wakeWriters(): void {
    let room = this.bufferSize - this.queuedEvents;
    while (room-- > 0 && this.roomWaiters.length > 0) this.roomWaiters.shift()!.resolve(true);
    if (this.roomWaiters.length === 0 && this.roomTimer) {
      clearTimeout(this.roomTimer);
      this.roomTimer = null;
    }
  }

  /** Everything queued (waits while the queue is empty); null once closed and drained. */
  private async takeAll(): Promise<QueueItem[] | null> {
    while (this.queue.length === 0) {
      if (this.closing || this.failure) return null;
      await new Promise<void>((resolve) => { this.queueWaiter = resolve; });
    }
    const items = this.queue.splice(0);
    this.openRun = null;
    this.queuedEvents = 0;
    this.wakeWriters();
    return items;
  }

  private async pump(): Promise<void> {
    try {
      if (this.options.uploadId) {
        this.lastStatus = { uploadId: this.options.uploadId, lastEventIndex: -1, lastUploadTime: new Date() };
      }
      await this.recover(null, false);
      for (let items = await this.takeAll(); items; items = await this.takeAll()) {
        for (const item of items) await this.send(item);
      }
    } catch (err) {
      this.fail(err);
    }
  }

  /**
   * Opens a stream - a resume of the upload when a status was seen, else a new upload - and, when
   * `resend`, sends it every event not yet acknowledged. Retried with the recovery backoff; stops
   * at once when the writer fails or is aborted.
   */
  private async recover(cause: unknown, resend: boolean): Promise<void> {
    let last = cause;
    for (let attempt = 1; ; attempt++) {
      if (this.failure) throw this.failure;
      if (attempt > 1) await sleep(Math.min(this.recovery.maxMs, this.recovery.stepMs * (attempt - 2)), this.stopped.signal);
      try {
        await this.openStream(this.lastStatus !== null);
        if (resend) await this.resend();
        return;
      } catch (err) {
        if (this.failure) throw this.failure;
        last = err;
        if (isUnrecoverable(err) || isPermanentEmitError(err) || attempt >= this.recovery.maxAttempts) throw toAuditcastError(last);
      }
    }
  }

  private async openStream(resume: boolean): Promise<void> {
    this.streamAbort?.abort(new AuditcastError('CANCELED', 'stream replaced after a failure'));
    const abort = new AbortController();
    const { streamer } = this.options;
    const stream = resume && this.lastStatus
      ? await streamer.resumeAuditStream(this.sessionId, this.lastStatus.uploadId, { signal: abort.signal })
      : await streamer.createAuditStream(this.sessionId, { signal: abort.signal });
    if (this.failure) {
      // Aborted while the stream was being opened: it does no work either.
      abort.abort(this.failure);
      throw this.failure;
    }
    if (resume && this.lastStatus) this.stats.streamsResumed++;
    else this.stats.streamsCreated++;
    this.stream = stream;
    this.streamAbort = abort;
    void this.followStatus(stream);
  }

  /** Keeps the last status and forgets events the stream has safely uploaded. */
  private async followStatus(stream: AuditStream): Promise<void> {
    try {
      for (let status = await stream.status.next(); status; status = await stream.status.next()) {
        if (stream !== this.stream) return;
        this.lastStatus = status;
        this.status.push(status);
        if (status.lastEventIndex >= 0) this.unacked = unacknowledged(this.unacked, status.lastEventIndex);
      }
    } catch {
      // A status channel that fails ends with its stream; the writer learns of it from the stream.
    }
  }

  private async send(item: QueueItem): Promise<void> {
    this.unacked.push(item);
    try {
      await this.record(item);
    } catch (err) {
      if (this.failure) throw this.failure;
      if (isUnrecoverable(err)) throw err;
      if (isPermanentEmitError(err)) {
        this.unacked = this.unacked.filter((e) => e !== item);
        this.stats.lostEvents += eventsIn(item);
        auditFailedEmitEvents.inc(eventsIn(item));
        return;
      }
      await this.recover(err, true);
      return;
    }
    this.keepCompact(item);
  }

  /**
   * Appends a print run just sent to the print run sent before it, when both wait for their
   * acknowledgement: runs not yet acknowledged are kept as one, not as an object per pump turn.
   * A run kept on its own drops its spare room (sealing every run sent would copy it for nothing).
   */
  private keepCompact(item: QueueItem): void {
    const unacked = this.unacked;
    const n = unacked.length;
    if (unacked[n - 1] !== item || !(item instanceof CompactPrintRun)) return;
    const previous = unacked[n - 2];
    // Big runs (bulk output) are kept as they are: an object costs little next to their data, and
    // appending to or from one copies megabytes on every pump turn (a quarter of a bulk write's CPU).
    if (!(previous instanceof CompactPrintRun) || item.dataBytes >= MERGE_MAX_BYTES || previous.dataBytes >= MERGE_MAX_BYTES) {
      item.seal();
      return;
    }
    previous.append(item);
    unacked.pop();
    // Nothing refers to the run now (a status that cut it would have replaced it in unacked).
    item.clear();
    this.spareRun = item;
  }

  private record(item: QueueItem): Promise<void> {
    return item instanceof CompactPrintRun ? this.stream!.recordPrintBatch(item.batch()) : this.stream!.recordEvent(item);
  }

  /** Sends every event not yet acknowledged to a new stream. */
  private async resend(): Promise<void> {
    for (const pending of [...this.unacked]) await this.record(pending);
  }

  private async finish(): Promise<void> {
    try {
      this.closing = true;
      this.wakePump();
      await this.pumping;
      if (this.failure) throw this.failure;
      for (let attempt = 1; ; attempt++) {
        try {
          await this.stream!.complete();
          break;
        } catch (err) {
          if (this.failure) throw this.failure;
          if (attempt >= this.recovery.maxAttempts || isPermanentEmitError(err) || isUnrecoverable(err)) throw err;
          await this.recover(err, true);
        }
      }
      this.unacked = [];
      this.stopped.abort();
      this.resolveDone();
    } catch (err) {
      throw this.fail(err);
    }
  }

  private fail(err: unknown): AuditcastError {
    if (!this.failure) {
      this.failure = toAuditcastError(err);
      // Whatever was accepted and not acknowledged as uploaded is not stored: count it.
      this.stats.lostEvents += this.queuedEvents + this.unacked.reduce((n, item) => n + eventsIn(item), 0);
      this.queue.length = 0;
      this.openRun = null;
      this.queuedEvents = 0;
      this.unacked = [];
      this.stopped.abort(this.failure);
      this.streamAbort?.abort(this.failure);
      this.wakePump();
      for (const waiter of this.roomWaiters.splice(0)) waiter.resolve(false);
      if (this.roomTimer) clearTimeout(this.roomTimer);
      this.resolveDone();
    }
    return this.failure;
  }
}

/** The items with events after `lastIndex` (a print run keeps only its prints after it). */
function unacknowledged(items: QueueItem[], lastIndex: number): QueueItem[] {
  const kept: QueueItem[] = [];
  for (const item of items) {
    if (!(item instanceof CompactPrintRun)) {
      if (item.Metadata.Index > lastIndex) kept.push(item);
    } else if (item.firstIndex > lastIndex) {
      kept.push(item);
    } else if (item.lastIndex > lastIndex) {
      kept.push(item.after(lastIndex));
    }
  }
  return kept;
}
