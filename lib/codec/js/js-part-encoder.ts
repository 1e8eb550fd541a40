// Pure-JS part encoder on node:zlib. Each chunk is an independent raw-deflate run at level 1 ended
// by a sync flush, so the native backend, calling the same zlib the same way, writes the same bytes.
import zlib from 'node:zlib';
import type { DeflatedChunk, PartEncoder } from '../codec.js';
import { crc32Combine } from './crc32-combine.js';
import {
  DEFLATE_END, GZIP_HEADER, GZIP_TRAILER_SIZE, PART_HEADER_SIZE, checkPadTo, writePartHeader,
} from '../part-format.js';

const DEFLATE_OPTIONS: zlib.ZlibOptions = { level: 1, finishFlush: zlib.constants.Z_SYNC_FLUSH };
const NO_BYTES = new Uint8Array(0);

function deflateChunk(framed: Uint8Array): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    zlib.deflateRaw(framed, DEFLATE_OPTIONS, (err, out) => (err ? reject(err) : resolve(out)));
  });
}

/** SliceCodec.deflateChunkAsync on node:zlib (compressed on libuv's pool). */
export async function deflateChunkAsync(framed: Uint8Array): Promise<DeflatedChunk> {
  const crc = zlib.crc32(framed);
  const rawLength = framed.length;
  return { bytes: rawLength === 0 ? NO_BYTES : await deflateChunk(framed), crc, rawLength };
}

export class JsPartEncoder implements PartEncoder {
  /** Deflated chunks in call order; null while an async chunk is still being compressed. */
  private chunks: (Uint8Array | null)[] = [];
  private pending = 0;
  private failed = false;
  private crc = 0;
  private raw = 0;
  private compressed = GZIP_HEADER.length;
  private finished = false;

  get compressedBytes(): number {
    return this.compressed;
  }

  get rawBytes(): number {
    return this.raw;
  }

  addChunk(framed: Uint8Array): number {
    this.checkOpen();
    if (framed.length === 0) return this.compressed;
    const deflated = zlib.deflateRawSync(framed, DEFLATE_OPTIONS);
    this.crc = zlib.crc32(framed, this.crc);
    this.chunks.push(deflated);
    return this.completed(framed, deflated);
  }

  addDeflated(chunk: DeflatedChunk): number {
    this.checkOpen();
    if (chunk.rawLength === 0) return this.compressed;
    if (this.pending) throw new Error('part has chunks still being compressed');
    this.crc = crc32Combine(this.crc, chunk.crc, chunk.rawLength);
    this.chunks.push(chunk.bytes);
    this.raw += chunk.rawLength;
    this.compressed += chunk.bytes.length;
    return this.compressed;
  }

  /** Calls may overlap: the chunk's place (and its CRC) is taken at call time, in call order. */
  async addChunkAsync(framed: Uint8Array): Promise<number> {
    this.checkOpen();
    if (framed.length === 0) return this.compressed;
    this.crc = zlib.crc32(framed, this.crc);
    const slot = this.chunks.push(null) - 1;
    this.pending++;
    let deflated: Uint8Array;
    try {
      deflated = await deflateChunk(framed);
    } catch (err) {
      this.failed = true;
      this.chunks[slot] = NO_BYTES;
      throw err;
    } finally {
      this.pending--;
    }
    this.chunks[slot] = deflated;
    return this.completed(framed, deflated);
  }

  private checkOpen(): void {
    if (this.finished) throw new Error('part already finished');
  }

  private completed(framed: Uint8Array, deflated: Uint8Array): number {
    this.raw += framed.length;
    this.compressed += deflated.length;
    return this.compressed;
  }

  finish(padTo: number): Uint8Array {
    checkPadTo(padTo);
    this.checkOpen();
    if (this.pending) throw new Error('part has chunks still being compressed');
    if (this.failed) throw new Error('part lost a chunk that failed to compress');
    this.finished = true;
    const partSize = this.compressed + DEFLATE_END.length + GZIP_TRAILER_SIZE;
    const unpadded = PART_HEADER_SIZE + partSize;
    const padding = padTo > unpadded ? padTo - unpadded : 0;
    const out = Buffer.alloc(unpadded + padding);
    writePartHeader(out, 0, partSize, padding);
    let pos = PART_HEADER_SIZE;
    out.set(GZIP_HEADER, pos);
    pos += GZIP_HEADER.length;
    for (const chunk of this.chunks) {
      out.set(chunk as Uint8Array, pos);
      pos += (chunk as Uint8Array).length;
    }
    out.set(DEFLATE_END, pos);
    pos += DEFLATE_END.length;
    out.writeUInt32LE(this.crc >>> 0, pos);
    out.writeUInt32LE(this.raw % 4294967296, pos + 4);
    this.chunks = [];
    return out;
  }
}
