// The slice codec seam: what a backend (pure JS or the native addon) must do. Everything above
// lib/codec talks to a SliceCodec and never to zlib or the addon directly.

/** Builds one part from framed records, chunk by chunk. */
export interface PartEncoder {
  /**
   * Compresses one chunk of framed records (4-byte BE length + OneOf, back to back) and appends it.
   * Returns the part's compressed size so far: gzip header plus every chunk.
   */
  addChunk(framed: Uint8Array): number;
  /** Like addChunk, with the compression done off the main thread when the backend can. */
  addChunkAsync(framed: Uint8Array): Promise<number>;
  /**
   * Appends a chunk compressed beforehand (SliceCodec.deflateChunkAsync): the same bytes addChunk
   * would have appended for its raw bytes. Lets a caller compress chunks before it knows which
   * part they belong to. Returns the part's compressed size so far.
   */
  addDeflated(chunk: DeflatedChunk): number;
  /** Compressed bytes so far (gzip header plus chunks). */
  readonly compressedBytes: number;
  /** Raw bytes so far. */
  readonly rawBytes: number;
  /**
   * Ends the gzip member and returns the whole part: 24-byte header, gzip member, then zero
   * padding so the part is `padTo` bytes long when it is shorter (0: no padding).
   */
  finish(padTo: number): Uint8Array;
}

/** One chunk of framed records compressed on its own (see part-format.ts). */
export interface DeflatedChunk {
  /** Raw deflate output ending with a sync flush, as PartEncoder.addChunk writes it. */
  readonly bytes: Uint8Array;
  /** CRC-32 of the raw bytes. */
  readonly crc: number;
  /** Length of the raw bytes. */
  readonly rawLength: number;
}

/** One inflated gzip section: the records' bytes and where each OneOf body starts and ends. */
export interface InflatedSection {
  readonly data: Uint8Array;
  /** [start, end) of every record's OneOf body in `data`, two entries per record. */
  readonly bounds: Uint32Array;
  /** Bytes inside PartSize after the gzip member (Teleport's old padding bug); ignored. */
  readonly trailingBytes: number;
}

export interface InflateLimits {
  /**
   * Memory the inflated part may take: its bytes plus BOUND_BYTES_PER_RECORD per record (the
   * bounds); more is LIMIT_EXCEEDED, found before the memory is allocated.
   */
  readonly maxInflatedBytes: number;
}

/**
 * A batch of SessionPrint events for framePrints, without one JS object per event.
 *
 * - `data`: every print's Data, back to back.
 * - `numbers`: PRINT_FIELDS (8) numbers per print, in this order (see print-batch.ts PrintField):
 *   Data length, Metadata.Index, ChunkIndex, Bytes, DelayMilliseconds, Offset, Time seconds,
 *   Time nanos. All safe integers; nanos in [0, 1e9); the data lengths add up to data.length.
 * - `strings`: Metadata string fields shared by every print of the batch (type defaults to
 *   'print', the others to '').
 */
export interface PrintBatch {
  readonly data: Uint8Array;
  readonly numbers: Float64Array;
  readonly strings?: PrintStrings;
}

export interface PrintStrings {
  readonly type?: string;
  readonly id?: string;
  readonly code?: string;
  readonly clusterName?: string;
}

export interface SliceCodec {
  readonly backend: 'native' | 'js';
  createPartEncoder(): PartEncoder;
  /** Inflates exactly one gzip section (the PartSize bytes of a part) and splits its records. */
  inflateSection(section: Uint8Array, limits: InflateLimits): InflatedSection;
  /**
   * Like inflateSection, with the work done off the main thread when the backend can (the native
   * backend, for sections of ASYNC_MIN_BYTES and more). Same results and errors. Do not change
   * `section` until the promise settles. Optional in the interface; both built-in backends have it.
   */
  inflateSectionAsync?(section: Uint8Array, limits: InflateLimits): Promise<InflatedSection>;
  /**
   * The print fast path: encodes a batch of SessionPrint events as framed OneOf records (4-byte BE
   * length + OneOf), ready for PartEncoder.addChunk. Byte-identical to writeEvent() on the same
   * events. Throws BAD_PARAMETER for a bad number, data lengths that do not add up, or a record
   * over 64 KiB. With `ends` (at least one entry per print), ends[i] is set to where record i
   * ends in the result, so a caller can cut the records into chunks without reading them back.
   * Optional in the interface; both built-in backends have it.
   */
  framePrints?(batch: PrintBatch, ends?: Uint32Array): Uint8Array;
  /**
   * Compresses one chunk of framed records on its own, off the main thread when the backend can
   * (libuv's pool). Calls may overlap and settle in any order. Do not change `framed` until the
   * promise settles. Optional in the interface; both built-in backends have it.
   */
  deflateChunkAsync?(framed: Uint8Array): Promise<DeflatedChunk>;
  /**
   * The read side of the print fast path: reads records `first`, `first + 1`, ... of an inflated
   * section into `out` (SCAN_FIELDS numbers each, see print-scan.ts; as many records as fit),
   * stopping at the first record that is not a plain SessionPrint (one lib/events decodes itself,
   * with its errors). Returns how many records were read. Events built from the numbers equal
   * decodeEvent's (lib/events/print-codec.ts printFromScan; a test checks). Optional: the native
   * backend has it; the JS backend decodes records in JS.
   */
  scanPrints?(data: Uint8Array, bounds: Uint32Array, first: number, out: Float64Array): number;
  /**
   * Frees an inflated section's memory now rather than when the garbage collector gets to it.
   * Every view of its data becomes empty, so only a caller that kept no view may call it.
   * Returns false when the backend cannot (the JS backend leaves it to the collector).
   */
  releaseSection?(section: InflatedSection): boolean;
  /**
   * Bytes of inflated-part memory kept for the next part (the native backend reuses it: fresh pages
   * cost more than inflating). Freed once no part was inflated or released for a moment. Optional.
   */
  keptPartMemoryBytes?(): number;
}
