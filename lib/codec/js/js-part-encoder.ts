// Pure-JS part encoder on node:zlib. Each chunk is an independent raw-deflate run at level 1 ended
// by a sync flush, so the native backend, calling the same zlib the same way, writes the same bytes.
import zlib from 'node:zlib';
import type { PartEncoder } from '../codec.js';
import {
  DEFLATE_END, GZIP_HEADER, GZIP_TRAILER_SIZE, PART_HEADER_SIZE, checkPadTo, writePartHeader,
} from '../part-format.js';

const DEFLATE_OPTIONS: zlib.ZlibOptions = { level: 1, finishFlush: zlib.constants.Z_SYNC_FLUSH };

function deflateChunk(framed: Uint8Array): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    zlib.deflateRaw(framed, DEFLATE_OPTIONS, (err, out) => (err ? reject(err) : resolve(out)));
  });
}

export class JsPartEncoder implements PartEncoder {
  private chunks: Uint8Array[] = [];
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
    if (framed.length === 0) return this.compressed;
    return this.append(framed, zlib.deflateRawSync(framed, DEFLATE_OPTIONS));
  }

  async addChunkAsync(framed: Uint8Array): Promise<number> {
    if (framed.length === 0) return this.compressed;
    return this.append(framed, await deflateChunk(framed));
  }

  private append(framed: Uint8Array, deflated: Uint8Array): number {
    this.crc = zlib.crc32(framed, this.crc);
    this.raw += framed.length;
    this.chunks.push(deflated);
    this.compressed += deflated.length;
    return this.compressed;
  }

  finish(padTo: number): Uint8Array {
    checkPadTo(padTo);
    if (this.finished) throw new Error('part already finished');
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
      out.set(chunk, pos);
      pos += chunk.length;
    }
    out.set(DEFLATE_END, pos);
    pos += DEFLATE_END.length;
    out.writeUInt32LE(this.crc >>> 0, pos);
    out.writeUInt32LE(this.raw % 4294967296, pos + 4);
    this.chunks = [];
    return out;
  }
}
