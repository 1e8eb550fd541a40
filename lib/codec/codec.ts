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

/** One inflated gzip section: the records' bytes and where each OneOf body starts and ends. */
export interface InflatedSection {
  readonly data: Uint8Array;
  /** [start, end) of every record's OneOf body in `data`, two entries per record. */
  readonly bounds: Uint32Array;
  /** Bytes inside PartSize after the gzip member (Teleport's old padding bug); ignored. */
  readonly trailingBytes: number;
}

export interface InflateLimits {
  /** Largest inflated size accepted; more is LIMIT_EXCEEDED. */
  readonly maxInflatedBytes: number;
}

export interface SliceCodec {
  readonly backend: 'native' | 'js';
  createPartEncoder(): PartEncoder;
  /** Inflates exactly one gzip section (the PartSize bytes of a part) and splits its records. */
  inflateSection(section: Uint8Array, limits: InflateLimits): InflatedSection;
}
