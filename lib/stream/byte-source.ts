// Reads exact byte counts from a buffer, a Readable or any async iterable of chunks, holding at
// most one requested range in memory. Buffers are served as zero-copy views.
import type { Readable } from 'node:stream';
import { badParameter } from '../errors.js';

export type RecordingSource = Uint8Array | Readable | AsyncIterable<Uint8Array>;

export interface ByteSource {
  /** Bytes consumed so far. */
  readonly offset: number;
  /** Up to `n` bytes; fewer only at the end of the input. Valid until the next read. */
  read(n: number): Promise<Uint8Array>;
  /** Skips up to `n` bytes; returns how many were skipped. */
  skip(n: number): Promise<number>;
}

class BufferSource implements ByteSource {
  offset = 0;
  constructor(private readonly data: Uint8Array) {}

  async read(n: number): Promise<Uint8Array> {
    const start = this.offset;
    const end = Math.min(this.data.length, start + n);
    this.offset = end;
    return this.data.subarray(start, end);
  }

  async skip(n: number): Promise<number> {
    const skipped = Math.min(n, this.data.length - this.offset);
    this.offset += skipped;
    return skipped;
  }
}

class IterableSource implements ByteSource {
  offset = 0;
  private readonly iterator: AsyncIterator<Uint8Array>;
  private chunk: Uint8Array = new Uint8Array(0);
  private done = false;
  /** Reused for reads that span chunks, so reading part after part does not churn the heap. */
  private scratch = Buffer.alloc(0);

  constructor(iterable: AsyncIterable<Uint8Array>) {
    this.iterator = iterable[Symbol.asyncIterator]();
  }

  private async fill(): Promise<boolean> {
    while (this.chunk.length === 0) {
      if (this.done) return false;
      const next = await this.iterator.next();
      if (next.done) {
        this.done = true;
        return false;
      }
      const value = next.value as Uint8Array | string;
      this.chunk = typeof value === 'string' ? Buffer.from(value) : value;
    }
    return true;
  }

  async read(n: number): Promise<Uint8Array> {
    if (!(await this.fill())) return new Uint8Array(0);
    if (this.chunk.length >= n) {
      const out = this.chunk.subarray(0, n);
      this.chunk = this.chunk.subarray(n);
      this.offset += n;
      return out;
    }
    if (this.scratch.length < n) this.scratch = Buffer.allocUnsafe(Math.max(n, this.scratch.length * 2));
    const out = this.scratch;
    let got = 0;
    while (got < n && (await this.fill())) {
      const take = Math.min(n - got, this.chunk.length);
      out.set(this.chunk.subarray(0, take), got);
      this.chunk = this.chunk.subarray(take);
      got += take;
    }
    this.offset += got;
    return out.subarray(0, got);
  }

  async skip(n: number): Promise<number> {
    let skipped = 0;
    while (skipped < n && (await this.fill())) {
      const take = Math.min(n - skipped, this.chunk.length);
      this.chunk = this.chunk.subarray(take);
      skipped += take;
    }
    this.offset += skipped;
    return skipped;
  }

  async close(): Promise<void> {
    if (!this.done) {
      this.done = true;
      await this.iterator.return?.();
    }
  }
}

export function toByteSource(source: RecordingSource): ByteSource {
  if (source instanceof Uint8Array) return new BufferSource(source);
  if (source && typeof (source as AsyncIterable<Uint8Array>)[Symbol.asyncIterator] === 'function') {
    return new IterableSource(source as AsyncIterable<Uint8Array>);
  }
  throw badParameter('a recording source must be a Uint8Array, a Readable or an async iterable of Uint8Array');
}

export async function closeByteSource(source: ByteSource): Promise<void> {
  if (source instanceof IterableSource) await source.close();
}
