// AsyncEmitter: accepts events into a bounded buffer and emits them in order in the background.
// The caller never waits; when the buffer is full the event is dropped and counted.
import { checkOptions, type OptionsSchema } from '../options.js';
import type { AuditEventInput } from '../events/event.js';
import { AsyncBufferSize } from '../events/constants.generated.js';
import type { Emitter } from './emitter.js';
import { auditFailedEmitEvents } from '../metrics.js';

export interface AsyncEmitterOptions {
  inner: Emitter;
  bufferSize?: number;
  /** Told about events the inner emitter failed to take (they are not retried). */
  onError?: (err: unknown, event: AuditEventInput) => void;
}

const ASYNC_EMITTER_OPTIONS: OptionsSchema<AsyncEmitterOptions> = {
  inner: { kind: 'object', methods: ['emitAuditEvent'], required: true },
  bufferSize: { kind: 'integer', min: 1 },
  onError: { kind: 'function' },
};

export class AsyncEmitter implements Emitter {
  /** Events dropped because the buffer was full or the emitter closed. */
  dropped = 0;
  /** Events the inner emitter failed. */
  failed = 0;
  private readonly inner: Emitter;
  private readonly bufferSize: number;
  private readonly buffer: AuditEventInput[] = [];
  private readonly controller = new AbortController();
  private running = false;
  private closed = false;
  private idle: Promise<void> = Promise.resolve();

  constructor(private readonly options: AsyncEmitterOptions) {
    checkOptions<AsyncEmitterOptions>('AsyncEmitter', options, ASYNC_EMITTER_OPTIONS);
    this.inner = options.inner;
    this.bufferSize = options.bufferSize ?? AsyncBufferSize;
  }

  /** Never blocks and never fails: the event is queued or counted as dropped. */
  emitAuditEvent(event: AuditEventInput): Promise<void> {
    if (this.closed || this.buffer.length >= this.bufferSize) {
      this.dropped++;
      return Promise.resolve();
    }
    this.buffer.push(event);
    if (!this.running) this.idle = this.drain();
    return Promise.resolve();
  }

  /** Stops emitting: events still buffered are dropped and the one in flight is canceled. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.dropped += this.buffer.length;
    this.buffer.length = 0;
    this.controller.abort();
    await this.idle.catch(() => undefined);
  }

  /** Waits until everything buffered so far has been emitted (for orderly shutdowns and tests). */
  async flush(): Promise<void> {
    while (this.running || this.buffer.length > 0) await this.idle;
  }

  private async drain(): Promise<void> {
    this.running = true;
    try {
      while (this.buffer.length > 0 && !this.closed) {
        const event = this.buffer.shift()!;
        try {
          await this.inner.emitAuditEvent(event, { signal: this.controller.signal });
        } catch (err) {
          this.failed++;
          auditFailedEmitEvents.inc();
          this.options.onError?.(err, event);
        }
      }
    } finally {
      this.running = false;
    }
  }
}
