// Reads a recording part by part: header, gzip section, padding. Memory holds one part at a time.
// Each failure is an AuditcastError naming the part number and the byte offset where it starts.
import { AuditcastError, type ErrorCode } from '../errors.js';
import type { InflatedSection, SliceCodec } from '../codec/codec.js';
import {
  DEFAULT_MAX_PART_BYTES, PART_HEADER_SIZE, PROTO_STREAM_V1, PROTO_STREAM_V2,
} from '../codec/part-format.js';
import type { ByteSource } from './byte-source.js';

export interface PartReaderLimits {
  /**
   * The memory budget of one part (default 64 MiB): its compressed bytes (PartSize), its inflated
   * records and 8 bytes of bounds per record must fit, else LIMIT_EXCEEDED, found before the
   * memory is allocated. Events are decoded one at a time and are not held by the reader. With
   * copyData, the reader holds one part at a time, so reading takes about this much memory.
   */
  maxPartBytes?: number;
  /** Largest inflated part accepted, inside maxPartBytes (default: no other limit). */
  maxInflatedPartBytes?: number;
}

export interface ReadPart extends InflatedSection {
  /** 1-based position of the part in the input. */
  readonly partIndex: number;
  /** Byte offset of the part's header in the input. */
  readonly offset: number;
}

function where(partIndex: number, offset: number): string {
  return `part ${partIndex} (at byte ${offset})`;
}

/** An error in the part at `offset`: the message and the `partOffset` field both say where. */
function partError(code: ErrorCode, partIndex: number, offset: number, text: string, cause?: unknown): AuditcastError {
  return new AuditcastError(code, `${where(partIndex, offset)}: ${text}`, { cause, partOffset: offset });
}

/** Adds the part's position to an error raised inside it, keeping the code. */
function located(err: unknown, partIndex: number, offset: number): AuditcastError {
  const code = err instanceof AuditcastError ? err.code : 'CORRUPTED';
  return partError(code, partIndex, offset, (err as Error).message, err);
}

export class PartReader {
  private partIndex = 0;
  private readonly maxPartBytes: number;
  private readonly maxInflated: number;

  constructor(private source: ByteSource, private readonly codec: SliceCodec, limits: PartReaderLimits = {}) {
    this.maxPartBytes = limits.maxPartBytes ?? DEFAULT_MAX_PART_BYTES;
    this.maxInflated = limits.maxInflatedPartBytes ?? this.maxPartBytes;
  }

  /** Switches the input (the next part is read from `source`). */
  reset(source: ByteSource): void {
    this.source = source;
  }

  /** The next part with records, or null at a clean end of input. Parts of size 0 are skipped. */
  async next(): Promise<ReadPart | null> {
    for (;;) {
      const offset = this.source.offset;
      const versionBytes = await this.source.read(8);
      if (versionBytes.length === 0) return null;
      const partIndex = ++this.partIndex;
      if (versionBytes.length < 8) {
        throw partError('CORRUPTED', partIndex, offset, `truncated part header: got ${versionBytes.length} of ${PART_HEADER_SIZE} bytes`);
      }
      const version = readUint64(versionBytes, 0);
      if (version === BigInt(PROTO_STREAM_V2)) {
        throw partError('UNSUPPORTED', partIndex, offset, `ProtoStream V2 (encrypted recording) is not supported`);
      }
      if (version !== BigInt(PROTO_STREAM_V1)) {
        throw partError('UNSUPPORTED', partIndex, offset, `unsupported protocol version ${version}`);
      }
      const sizes = await this.source.read(16);
      if (sizes.length < 16) {
        throw partError('CORRUPTED', partIndex, offset, `truncated part header: got ${8 + sizes.length} of ${PART_HEADER_SIZE} bytes`);
      }
      const partSize = readUint64(sizes, 0);
      const paddingSize = readUint64(sizes, 8);
      if (partSize > BigInt(this.maxPartBytes)) {
        throw partError('LIMIT_EXCEEDED', partIndex, offset, `part size ${partSize} exceeds the limit of ${this.maxPartBytes} bytes (maxPartBytes)`);
      }
      let section: InflatedSection | null = null;
      if (partSize > 0n) {
        const size = Number(partSize);
        const data = await this.source.read(size);
        if (data.length < size) {
          throw partError('CORRUPTED', partIndex, offset, `data truncated, expected to read ${size} bytes, but got ${data.length}`);
        }
        try {
          // What the compressed bytes leave of the budget bounds the inflated records and bounds.
          const maxInflatedBytes = Math.min(this.maxInflated, this.maxPartBytes - size);
          section = this.codec.inflateSection(data, { maxInflatedBytes });
        } catch (err) {
          throw located(err, partIndex, offset);
        }
      }
      if (paddingSize > 0n) {
        // Padding is skipped in bounded steps; a hostile size only costs reading the input.
        let left = paddingSize;
        while (left > 0n) {
          const step = left > 1n << 30n ? 1 << 30 : Number(left);
          const skipped = await this.source.skip(step);
          left -= BigInt(skipped);
          if (skipped < step) {
            throw partError('CORRUPTED', partIndex, offset, `padding truncated, expected to skip ${paddingSize} bytes, but got ${paddingSize - left}`);
          }
        }
      }
      if (section) return { ...section, partIndex, offset };
    }
  }
}

function readUint64(bytes: Uint8Array, at: number): bigint {
  return new DataView(bytes.buffer, bytes.byteOffset + at, 8).getBigUint64(0);
}
