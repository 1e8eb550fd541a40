// A bounds-checked protobuf reader over a Buffer view. Every read past the end or malformed varint
// throws a CORRUPTED AuditcastError naming the offset, never a RangeError.
import { corrupted } from '../errors.js';
import { copyBytes } from './byte-slab.js';
import { utf8Slice } from './fast-buffer.js';

const TWO_32 = 4294967296;

export class WireReader {
  readonly buf: Buffer;
  pos: number;
  readonly end: number;

  /**
   * `shareBytes`: bytes fields are views into `buf` instead of copies (faster, but they keep `buf`
   * alive and change with it).
   */
  constructor(buf: Uint8Array, start = 0, end = buf.length, readonly shareBytes = false) {
    this.buf = Buffer.isBuffer(buf) ? buf : Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
    this.pos = start;
    this.end = end;
  }

  fail(what: string): never {
    throw corrupted(`malformed protobuf: ${what} at byte ${this.pos}`);
  }

  /** Unsigned varint as a number (exact up to 2^53). */
  varint(): number {
    const buf = this.buf;
    let pos = this.pos;
    if (pos < this.end && buf[pos] < 0x80) {
      this.pos = pos + 1;
      return buf[pos];
    }
    let lo = 0;
    let shift = 0;
    let byte: number;
    // low 28 bits
    for (; shift < 28; shift += 7) {
      if (pos >= this.end) this.fail('truncated varint');
      byte = buf[pos++];
      lo |= (byte & 0x7f) << shift;
      if (byte < 0x80) {
        this.pos = pos;
        return lo >>> 0;
      }
    }
    // the rest, with multiplication to stay exact beyond 32 bits
    let value = lo >>> 0;
    let scale = 2 ** 28;
    for (let i = 0; i < 6; i++) {
      if (pos >= this.end) this.fail('truncated varint');
      byte = buf[pos++];
      value += (byte & 0x7f) * scale;
      if (byte < 0x80) {
        this.pos = pos;
        return value;
      }
      scale *= 128;
    }
    this.fail('varint longer than 10 bytes');
  }

  /** Signed 64-bit varint (two's complement) as a number. */
  int64(): number {
    const start = this.pos;
    const value = this.varint();
    if (value < 2 ** 63) return value;
    // Negative: re-read exactly with BigInt.
    let big = 0n;
    let shift = 0n;
    for (let p = start; p < this.pos; p++) {
      big |= BigInt(this.buf[p] & 0x7f) << shift;
      shift += 7n;
    }
    return Number(BigInt.asIntN(64, big));
  }

  /** int32 fields are written sign-extended to 64 bits; fold back to 32. */
  int32(): number {
    const value = this.int64();
    return value > 0x7fffffff || value < -0x80000000 ? (value % TWO_32) | 0 : value;
  }

  bool(): boolean {
    return this.varint() !== 0;
  }

  double(): number {
    if (this.pos + 8 > this.end) this.fail('truncated fixed64');
    const value = this.buf.readDoubleLE(this.pos);
    this.pos += 8;
    return value;
  }

  /** Start and end of a length-delimited field's body (the reader moves past it). */
  lenRange(): [number, number] {
    const length = this.varint();
    const start = this.pos;
    if (length > this.end - start) this.fail(`length ${length} past the end`);
    this.pos = start + length;
    return [start, start + length];
  }

  string(): string {
    const [start, end] = this.lenRange();
    return start === end ? '' : utf8Slice(this.buf, start, end);
  }

  /** A bytes field: a copy (see byte-slab.ts), or a view when the reader shares bytes. */
  bytes(): Uint8Array {
    const [start, end] = this.lenRange();
    return this.shareBytes ? this.buf.subarray(start, end) : copyBytes(this.buf, start, end);
  }

  skip(wireType: number): void {
    switch (wireType) {
      case 0:
        this.varint();
        return;
      case 1:
        if (this.pos + 8 > this.end) this.fail('truncated fixed64');
        this.pos += 8;
        return;
      case 2:
        this.lenRange();
        return;
      case 5:
        if (this.pos + 4 > this.end) this.fail('truncated fixed32');
        this.pos += 4;
        return;
      default:
        this.fail(`unsupported wire type ${wireType}`);
    }
  }
}
