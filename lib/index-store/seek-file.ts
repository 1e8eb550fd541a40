// The seek index file of one recording. Layout:
//   "ACSEEK01" | keyframe blobs... | header JSON | u32 BE header length | 32-byte SHA-256 of the header | "ACSEEK01"
// Each blob is a deflated ScreenSnapshot with its CRC-32 in the header, so a screen at t reads the
// header and one blob, never the whole file, and every byte it uses is checked. The header says
// which recording (size, mtime, hash of its last bytes) it was built from: a change means rebuild.
import { createHash } from 'node:crypto';
import * as fs from 'node:fs/promises';
import { crc32, deflateRawSync, inflateRawSync } from 'node:zlib';
import { corrupted } from '../errors.js';
import type { ScreenSnapshot } from '../screen/screen-model.js';
import type { PartResume } from '../stream/part-checkpoints.js';
import { openRecording, statRecording } from '../stream/recording-file.js';

export const SEEK_FILE_VERSION = 2;
const MAGIC = Buffer.from('ACSEEK01');
const TRAILER_SIZE = 4 + 32 + MAGIC.length;
/** Largest header read (1 GB of output with a keyframe per 64 KiB needs about 3 MiB). */
const MAX_HEADER_BYTES = 64 * 1024 * 1024;

/** Which recording an index was built from. */
export interface RecordingStamp {
  size: number;
  mtimeMs: number;
  /** SHA-256 (hex) of the recording's last 4 KiB. */
  tailHash: string;
}

export interface KeyframeEntry {
  /** Milliseconds since the session start of the last event applied before the keyframe. */
  timeMs: number;
  /** Metadata.Index of that event (-1 before any). */
  eventIndex: number;
  /** Where reading resumes: byte offset of the part header and 0-based record in that part. */
  partOffset: number;
  recordIndex: number;
  /** In a large part of ours: the chunk boundary to start inflating at, and bytes to skip from there. */
  resume?: PartResume;
  blobOffset: number;
  blobLength: number;
  crc: number;
}

export interface SeekHeader {
  version: number;
  recording: RecordingStamp;
  sessionId: string;
  user: string;
  /** Epoch milliseconds of the session start (0 if unknown). */
  startMs: number;
  durationMs: number;
  events: number;
  outputBytes: number;
  keyframes: KeyframeEntry[];
  /** Set when the recording could be read only up to a corruption: what and where, then [CODE]. */
  error: string | null;
}

/**
 * What was read lately from files that have not changed since, by path: a seek (the player's, a
 * screen at t) would otherwise read and parse the same header again each time, ~0.7 MB of JSON for
 * a 1 GB recording. A file counts as unchanged while its device, inode, size, mtime and ctime are
 * (a rewrite, a rename into place or any write changes one of them).
 */
class RecentFiles<T> {
  private readonly entries = new Map<string, { identity: string; value: T }>();
  constructor(private readonly max: number) {}

  get(file: string, identity: string): T | undefined {
    const entry = this.entries.get(file);
    return entry?.identity === identity ? entry.value : undefined;
  }

  set(file: string, identity: string, value: T): void {
    this.entries.delete(file);
    this.entries.set(file, { identity, value });
    if (this.entries.size > this.max) this.entries.delete(this.entries.keys().next().value!);
  }
}

function fileIdentity(stat: { dev: number; ino: number; size: number; mtimeMs: number; ctimeMs: number }): string {
  return `${stat.dev}:${stat.ino}:${stat.size}:${stat.mtimeMs}:${stat.ctimeMs}`;
}

const recentStamps = new RecentFiles<RecordingStamp>(64);
const recentHeaders = new RecentFiles<SeekHeader>(8);

export async function recordingStamp(file: string): Promise<RecordingStamp> {
  const stat = await statRecording(file);
  const known = recentStamps.get(file, stat.identity);
  if (known) return { ...known };
  const handle = await openRecording(file);
  try {
    const n = Math.min(4096, stat.size);
    const tail = Buffer.alloc(n);
    await handle.read(tail, 0, n, stat.size - n);
    const stamp = { size: stat.size, mtimeMs: Math.floor(stat.mtimeMs), tailHash: createHash('sha256').update(tail).digest('hex') };
    recentStamps.set(file, stat.identity, stamp);
    return { ...stamp };
  } finally {
    await handle.close();
  }
}

export function sameStamp(a: RecordingStamp, b: RecordingStamp): boolean {
  return a.size === b.size && a.mtimeMs === b.mtimeMs && a.tailHash === b.tailHash;
}

/** Writes a seek file blob by blob (to a temporary path, renamed into place by `finish`). */
export class SeekFileWriter {
  private offset = MAGIC.length;
  private constructor(private readonly handle: fs.FileHandle, private readonly tempPath: string, private readonly finalPath: string) {}

  static async create(finalPath: string): Promise<SeekFileWriter> {
    const tempPath = `${finalPath}.${process.pid}.${Date.now()}.tmp`;
    const handle = await fs.open(tempPath, 'wx', 0o600);
    await handle.write(MAGIC);
    return new SeekFileWriter(handle, tempPath, finalPath);
  }

  /** Stores a snapshot; returns where (for the keyframe entry). */
  async addSnapshot(snapshot: ScreenSnapshot): Promise<{ blobOffset: number; blobLength: number; crc: number }> {
    const blob = deflateRawSync(Buffer.from(JSON.stringify(snapshot)));
    const at = this.offset;
    await this.handle.write(blob);
    this.offset += blob.length;
    return { blobOffset: at, blobLength: blob.length, crc: crc32(blob) };
  }

  async finish(header: SeekHeader): Promise<void> {
    const json = Buffer.from(JSON.stringify(header));
    const trailer = Buffer.alloc(TRAILER_SIZE);
    trailer.writeUInt32BE(json.length, 0);
    createHash('sha256').update(json).digest().copy(trailer, 4);
    MAGIC.copy(trailer, 36);
    await this.handle.write(Buffer.concat([json, trailer]));
    await this.handle.close();
    await fs.rename(this.tempPath, this.finalPath);
  }

  async abort(): Promise<void> {
    await this.handle.close().catch(() => {});
    await fs.rm(this.tempPath, { force: true });
  }
}

/** An open seek file: its checked header, and snapshots read (and checked) one at a time. */
export class SeekFile {
  private constructor(private readonly handle: fs.FileHandle, readonly header: SeekHeader, readonly path: string) {}

  /** Opens and checks a seek file; CORRUPTED (naming the file) if anything does not add up. */
  static async open(file: string): Promise<SeekFile> {
    const handle = await fs.open(file, 'r');
    try {
      const stat = await handle.stat();
      const size = stat.size;
      // Checked when it was read, and the file has not changed since.
      const known = recentHeaders.get(file, fileIdentity(stat));
      if (known) return new SeekFile(handle, known, file);
      const bad = (why: string) => corrupted(`seek index ${file}: ${why}`);
      if (size < MAGIC.length + TRAILER_SIZE) throw bad(`too short (${size} bytes)`);
      const head = Buffer.alloc(MAGIC.length);
      await handle.read(head, 0, head.length, 0);
      const trailer = Buffer.alloc(TRAILER_SIZE);
      await handle.read(trailer, 0, TRAILER_SIZE, size - TRAILER_SIZE);
      if (!head.equals(MAGIC) || !trailer.subarray(36).equals(MAGIC)) throw bad('not a seek index (magic)');
      const length = trailer.readUInt32BE(0);
      if (length > MAX_HEADER_BYTES || length > size - MAGIC.length - TRAILER_SIZE) throw bad(`header length ${length} out of range`);
      const json = Buffer.alloc(length);
      await handle.read(json, 0, length, size - TRAILER_SIZE - length);
      if (!createHash('sha256').update(json).digest().equals(trailer.subarray(4, 36))) throw bad('header checksum mismatch');
      const header = JSON.parse(json.toString('utf8')) as SeekHeader;
      if (header.version !== SEEK_FILE_VERSION) throw bad(`version ${header.version}, expected ${SEEK_FILE_VERSION}`);
      const blobEnd = size - TRAILER_SIZE - length;
      for (const k of header.keyframes) {
        if (!(k.blobOffset >= MAGIC.length && k.blobOffset + k.blobLength <= blobEnd)) throw bad(`keyframe at ${k.timeMs} ms points outside the file`);
      }
      recentHeaders.set(file, fileIdentity(stat), header);
      return new SeekFile(handle, header, file);
    } catch (err) {
      await handle.close();
      throw err;
    }
  }

  /** The last keyframe at or before `timeMs` (the first one if none is). */
  keyframeAt(timeMs: number): KeyframeEntry | null {
    const list = this.header.keyframes;
    let lo = 0;
    let hi = list.length - 1;
    let found = list.length > 0 ? 0 : -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (list[mid]!.timeMs <= timeMs) {
        found = mid;
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    return found < 0 ? null : list[found]!;
  }

  async snapshot(entry: KeyframeEntry): Promise<ScreenSnapshot> {
    const blob = Buffer.alloc(entry.blobLength);
    await this.handle.read(blob, 0, blob.length, entry.blobOffset);
    if (crc32(blob) !== entry.crc) throw corrupted(`seek index ${this.path}: keyframe at ${entry.timeMs} ms: checksum mismatch`);
    try {
      return JSON.parse(inflateRawSync(blob, { maxOutputLength: 64 * 1024 * 1024 }).toString('utf8')) as ScreenSnapshot;
    } catch (err) {
      throw corrupted(`seek index ${this.path}: keyframe at ${entry.timeMs} ms: ${(err as Error).message}`, err);
    }
  }

  async close(): Promise<void> {
    await this.handle.close();
  }
}
