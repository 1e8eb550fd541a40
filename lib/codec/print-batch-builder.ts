// A PrintBatch that grows print by print: the queue of a SessionWriter keeps terminal output as
// one of these (one data buffer and 8 numbers per print) instead of one object per print.
import type { PrintBatch, PrintStrings } from './codec.js';
import { PRINT_FIELDS, PrintField } from './print-batch.js';

const FIRST_PRINTS = 64;
const FIRST_DATA_BYTES = 1024;

/** Where a preparer appends the prints it stamps (a PrintBatchBuilder, or a CompactPrintRun). */
export interface PrintSink {
  readonly strings: PrintStrings;
  /** Appends one print whose Data is `data`. Time is seconds + nanos. */
  push(data: Uint8Array, index: number, chunkIndex: number, delayMs: number, offset: number, seconds: number, nanos: number): void;
}

export interface PrintBatchBuilderOptions {
  /**
   * Data that continues the previous print's in the same memory is kept as a view instead of being
   * copied (an importer's prints are consecutive pieces of one input buffer). The caller must not
   * change pushed data until the batch has been recorded.
   */
  borrowData?: boolean;
}

export class PrintBatchBuilder implements PrintSink {
  /** Prints so far. */
  count = 0;
  private data: Buffer | null = null;
  private dataBytes = 0;
  private numbers: Float64Array;
  private readonly firstDataBytes: number;
  /** The data so far, while it is one run of borrowed memory (see borrowData). */
  private borrowed: Uint8Array | null = null;
  private borrowing: boolean;

  constructor(readonly strings: PrintStrings, prints = FIRST_PRINTS, dataBytes = FIRST_DATA_BYTES, options: PrintBatchBuilderOptions = {}) {
    this.firstDataBytes = Math.max(1, dataBytes);
    this.borrowing = options.borrowData === true;
    if (!this.borrowing) this.data = Buffer.allocUnsafe(this.firstDataBytes);
    this.numbers = new Float64Array(Math.max(1, prints) * PRINT_FIELDS);
  }

  /** Appends one print whose Data is `data` (copied, unless borrowed). Time is seconds + nanos. */
  push(data: Uint8Array, index: number, chunkIndex: number, delayMs: number, offset: number, seconds: number, nanos: number): void {
    const n = this.count * PRINT_FIELDS;
    if (n + PRINT_FIELDS > this.numbers.length) this.growNumbers();
    if (!this.borrowing || !this.borrow(data)) this.copy(data);
    const numbers = this.numbers;
    numbers[n + PrintField.DataLength] = data.length;
    numbers[n + PrintField.Index] = index;
    numbers[n + PrintField.ChunkIndex] = chunkIndex;
    numbers[n + PrintField.Bytes] = data.length;
    numbers[n + PrintField.DelayMilliseconds] = delayMs;
    numbers[n + PrintField.Offset] = offset;
    numbers[n + PrintField.TimeSeconds] = seconds;
    numbers[n + PrintField.TimeNanos] = nanos;
    this.count++;
  }

  /**
   * The prints so far as a batch (push no more after it). A batch may be kept a while (a
   * SessionWriter keeps prints until their part is uploaded), so spare room is not kept with it.
   */
  batch(): PrintBatch {
    const used = this.count * PRINT_FIELDS;
    const numbers = this.numbers.length > used + used / 4 ? this.numbers.slice(0, used) : this.numbers.subarray(0, used);
    return { data: this.borrowed ?? this.ownData(), numbers, strings: this.strings };
  }

  private ownData(): Uint8Array {
    const data = this.data;
    if (!data) return new Uint8Array(0);
    return data.length > this.dataBytes + this.dataBytes / 4 ? Buffer.from(data.subarray(0, this.dataBytes)) : data.subarray(0, this.dataBytes);
  }

  /** Extends the borrowed run with `data` when it continues it; false (and copies the run) when not. */
  private borrow(data: Uint8Array): boolean {
    if (data.length === 0) return true;
    const run = this.borrowed;
    if (run === null) {
      this.borrowed = data;
      return true;
    }
    if (data.buffer === run.buffer && data.byteOffset === run.byteOffset + run.length) {
      this.borrowed = new Uint8Array(run.buffer, run.byteOffset, run.length + data.length);
      return true;
    }
    this.borrowing = false;
    this.borrowed = null;
    this.copy(run);
    return false;
  }

  private copy(data: Uint8Array): void {
    if (this.data === null || this.dataBytes + data.length > this.data.length) this.growData(this.dataBytes + data.length);
    this.data!.set(data, this.dataBytes);
    this.dataBytes += data.length;
  }

  private growNumbers(): void {
    const next = new Float64Array(this.numbers.length * 2);
    next.set(this.numbers);
    this.numbers = next;
  }

  private growData(needed: number): void {
    const next = Buffer.allocUnsafe(Math.max(needed, this.data ? this.data.length * 2 : this.firstDataBytes));
    if (this.data) next.set(this.data.subarray(0, this.dataBytes));
    this.data = next;
  }
}
