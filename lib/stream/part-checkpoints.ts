// Starting to inflate in the middle of a part. auditcast writes a part's deflate stream as
// independent chunks, each compressed afresh and ended by a sync flush (part-format.ts): at each
// chunk boundary raw inflate can start with no history. A seek index stores, for a keyframe in the
// middle of a large part, the boundary before its record and how many inflated bytes from there
// precede the record, so a seek inflates a chunk or two instead of the whole part (5 MiB
// compressed, tens of MB inflated). Parts written otherwise (Teleport's: one deflate run) have no
// such boundaries: `partCheckpoints` finds none and a seek inflates from the part's start.
import zlib from 'node:zlib';
import { corrupted } from '../errors.js';
import { type RecordingHandle, openRecording } from './recording-file.js';
import { DEFLATE_END, GZIP_HEADER, GZIP_TRAILER_SIZE, MAX_RECORD_BYTES, PART_HEADER_SIZE, PROTO_STREAM_V1, RECORD_HEADER_SIZE } from '../codec/part-format.js';

/** A place to start inflating: offset in the part's gzip section, and of its output in the part's records. */
export interface InflateCheckpoint {
  sectionOffset: number;
  rawOffset: number;
}

/** Where reading resumes inside a part: a chunk boundary, and inflated bytes to skip to the record. */
export interface PartResume {
  sectionOffset: number;
  skip: number;
}

const SYNC_MARKER = Buffer.from([0x00, 0x00, 0xff, 0xff]);

/** The part's header fields, or null at the end of the file. */
export async function readPartAt(handle: RecordingHandle, partOffset: number, what: string): Promise<{ partSize: number; paddingSize: number } | null> {
  const header = Buffer.alloc(PART_HEADER_SIZE);
  const { bytesRead } = await handle.read(header, 0, PART_HEADER_SIZE, partOffset);
  if (bytesRead === 0) return null;
  if (bytesRead < PART_HEADER_SIZE) throw corrupted(`${what}: truncated part header at byte ${partOffset}`);
  if (header.readBigUInt64BE(0) !== BigInt(PROTO_STREAM_V1)) throw corrupted(`${what}: no ProtoStream part at byte ${partOffset}`);
  return { partSize: Number(header.readBigUInt64BE(8)), paddingSize: Number(header.readBigUInt64BE(16)) };
}

/** Inflates the pieces through one raw inflate stream, flushing after each: `each` gets each one's output. */
async function inflatePieces(pieces: Uint8Array[], each: (i: number, output: Buffer) => void): Promise<void> {
  const inflate = zlib.createInflateRaw();
  let current: Buffer[] = [];
  inflate.on('data', (chunk: Buffer) => current.push(chunk));
  try {
    for (let i = 0; i < pieces.length; i++) {
      inflate.write(pieces[i]);
      await new Promise<void>((resolve, reject) => {
        inflate.once('error', reject);
        inflate.flush(zlib.constants.Z_SYNC_FLUSH, () => {
          inflate.off('error', reject);
          resolve();
        });
      });
      each(i, Buffer.concat(current));
      current = [];
    }
  } finally {
    inflate.close();
  }
}

export interface PartLayout {
  /** Chunk boundaries, the first at the deflate start. */
  checkpoints: InflateCheckpoint[];
  /** Inflated offset of each record's length prefix. */
  recordStarts: number[];
}

/**
 * The chunk boundaries of an auditcast part's gzip section, each with the inflated offset it
 * starts at, and where each record starts, reading the part once piece by piece (never the whole
 * part inflated at once). A sync-flush marker can also occur by chance inside compressed data: a
 * boundary counts only if inflating from it alone gives exactly what the whole stream gives there.
 * Null for parts not written this way, or that do not inflate.
 */
export async function partLayout(section: Uint8Array): Promise<PartLayout | null> {
  const head = GZIP_HEADER.length;
  const end = section.length - GZIP_TRAILER_SIZE;
  if (end <= head || !Buffer.from(section.subarray(0, head)).equals(GZIP_HEADER)) return null;
  const data = Buffer.from(section.buffer, section.byteOffset, end);
  const cuts: number[] = [head];
  for (let at = data.indexOf(SYNC_MARKER, head); at >= 0; at = data.indexOf(SYNC_MARKER, at + 1)) {
    if (at + 4 < end) cuts.push(at + 4);
  }
  cuts.push(end);
  const pieces = cuts.slice(1).map((c, i) => data.subarray(cuts[i], c));
  const checkpoints: InflateCheckpoint[] = [];
  const recordStarts: number[] = [];
  let raw = 0;
  let next = 0; // inflated offset of the next record's length prefix
  let carry = Buffer.alloc(0); // the last bytes of earlier output, for a prefix split across pieces
  try {
    await inflatePieces(pieces, (i, output) => {
      if (output.length > 0 && startsAfresh(pieces[i]!, output)) checkpoints.push({ sectionOffset: cuts[i]!, rawOffset: raw });
      const window = carry.length > 0 ? Buffer.concat([carry, output]) : output;
      const base = raw - carry.length;
      while (next + RECORD_HEADER_SIZE <= raw + output.length) {
        const length = window.readUInt32BE(next - base);
        if (length === 0 || length > MAX_RECORD_BYTES) throw corrupted(`bad record length ${length} at inflated byte ${next}`);
        recordStarts.push(next);
        next += RECORD_HEADER_SIZE + length;
      }
      raw += output.length;
      carry = next < raw ? Buffer.from(window.subarray(Math.max(0, next - base))) : Buffer.alloc(0);
      if (carry.length > RECORD_HEADER_SIZE) carry = Buffer.from(carry.subarray(carry.length - RECORD_HEADER_SIZE));
    });
  } catch {
    return null; // reading the part fails as it would anyway; no checkpoints
  }
  return { checkpoints, recordStarts };
}

/** Whether inflating this piece alone, with no history, gives the stream's output of it. */
function startsAfresh(piece: Uint8Array, output: Buffer): boolean {
  try {
    return zlib.inflateRawSync(piece, { finishFlush: zlib.constants.Z_SYNC_FLUSH }).equals(output);
  } catch {
    return false;
  }
}

/** Where to resume reading record `recordIndex` of a part with this layout (null: from the part start). */
export function resumeAt(layout: PartLayout, recordIndex: number): PartResume | null {
  const start = layout.recordStarts[recordIndex];
  if (start === undefined) return null;
  let best: InflateCheckpoint | null = null;
  for (const c of layout.checkpoints) {
    if (c.rawOffset > start) break;
    best = c;
  }
  if (!best) return null;
  return { sectionOffset: best.sectionOffset, skip: start - best.rawOffset };
}

/** The gzip section of the part at `partOffset`, or null when it cannot be read whole. */
export async function readPartSection(file: string, partOffset: number, maxBytes: number): Promise<Buffer | null> {
  const handle = await openRecording(file);
  try {
    const header = await readPartAt(handle, partOffset, file);
    if (!header) return null;
    const { partSize } = header;
    if (partSize > maxBytes || partSize < GZIP_HEADER.length + DEFLATE_END.length + GZIP_TRAILER_SIZE) return null;
    const section = Buffer.alloc(partSize);
    const { bytesRead } = await handle.read(section, 0, partSize, partOffset + PART_HEADER_SIZE);
    return bytesRead === partSize ? section : null;
  } catch {
    return null;
  } finally {
    await handle.close();
  }
}
