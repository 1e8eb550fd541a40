// Copies of small byte fields, cut from shared 64 KiB slabs the way Node's Buffer pool cuts small
// Buffers: one allocation per slab instead of one per field. Reading a recording copies every
// print's Data; with a fresh ArrayBuffer each, malloc and the collector's sweeps cost ~40% of the
// inflation (perf, bulk fixture). A copy kept alive keeps at most its slab (64 KiB) alive, never
// the part it came from. Larger fields get an allocation of their own.
const SLAB_BYTES = 64 * 1024;
/** Fields above this get their own allocation (a slab holds at least eight of the others). */
const MAX_SLAB_COPY = SLAB_BYTES / 8;

let slab = Buffer.allocUnsafe(0);
let used = 0;

/** A copy of `buf[start, end)` that shares no memory with `buf`. */
export function copyBytes(buf: Buffer, start: number, end: number): Buffer {
  const length = end - start;
  if (length > MAX_SLAB_COPY) return Uint8Array.prototype.slice.call(buf, start, end) as Buffer;
  if (used + length > slab.length) {
    slab = Buffer.allocUnsafe(SLAB_BYTES);
    used = 0;
  }
  const at = used;
  buf.copy(slab, at, start, end);
  used = at + length;
  return slab.subarray(at, at + length);
}
