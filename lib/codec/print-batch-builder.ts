// A PrintBatch that grows print by print: the queue of a SessionWriter keeps terminal output as
// one of these (one data buffer and 8 numbers per print) instead of one object per print.
import type { PrintBatch, PrintStrings } from './codec.js';
import { PRINT_FIELDS, PrintField } from './print-batch.js';

const FIRST_PRINTS = 64;
const FIRST_DATA_BYTES = 1024;

export class PrintBatchBuilder {
  /** Prints so far. */
  count = 0;
  private data: Buffer;
  private dataBytes = 0;
  private numbers: Float64Array;

  constructor(readonly strings: PrintStrings, prints = FIRST_PRINTS, dataBytes = FIRST_DATA_BYTES) {
    this.data = Buffer.allocUnsafe(Math.max(1, dataBytes));
    this.numbers = new Float64Array(Math.max(1, prints) * PRINT_FIELDS);
  }

  /** Appends one print whose Data is `data` (copied). Time is seconds + nanos. */
  push(data: Uint8Array, index: number, chunkIndex: number, delayMs: number, offset: number, seconds: number, nanos: number): void {
    const n = this.count * PRINT_FIELDS;
    if (n + PRINT_FIELDS > this.numbers.length) this.growNumbers();
    if (this.dataBytes + data.length > this.data.length) this.growData(this.dataBytes + data.length);
    this.data.set(data, this.dataBytes);
    this.dataBytes += data.length;
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
    const data = this.data.length > this.dataBytes + this.dataBytes / 4 ? Buffer.from(this.data.subarray(0, this.dataBytes)) : this.data.subarray(0, this.dataBytes);
    return { data, numbers, strings: this.strings };
  }

  private growNumbers(): void {
    const next = new Float64Array(this.numbers.length * 2);
    next.set(this.numbers);
    this.numbers = next;
  }

  private growData(needed: number): void {
    const next = Buffer.allocUnsafe(Math.max(needed, this.data.length * 2));
    next.set(this.data.subarray(0, this.dataBytes));
    this.data = next;
  }
}
