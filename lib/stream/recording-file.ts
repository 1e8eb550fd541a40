// Random access to a recording wherever its bytes are. A recording is named by a string: a local
// file's path, or a name under a mounted prefix (`s3://bucket/prefix/<sid>.tar`: the console's S3
// recordings, lib/uploads/s3-recording-file.ts) whose mount reads byte ranges on demand. Readers
// open, stat and stream recordings through here, so a recording in S3 is read the way a file is:
// the parts a reader needs, never the whole object.
import { createReadStream, promises as fsp } from 'node:fs';

/** What readers need of an open recording (node's FileHandle has this shape). */
export interface RecordingHandle {
  /** Up to `length` bytes at `position` into `buffer` at `offset`; fewer only at the end. */
  read(buffer: Uint8Array, offset: number, length: number, position: number): Promise<{ bytesRead: number }>;
  stat(): Promise<{ size: number }>;
  close(): Promise<void>;
}

export interface RecordingStat {
  size: number;
  mtimeMs: number;
  /** Changes whenever the bytes may have (a file's device, inode, size and times; an object's ETag). */
  identity: string;
}

/** A store of recordings named under one prefix. */
export interface RecordingMount {
  open(name: string): Promise<RecordingHandle>;
  stat(name: string): Promise<RecordingStat>;
  /** The bytes from `start` to the end, in order. */
  stream(name: string, start: number): Promise<AsyncIterable<Uint8Array>>;
}

const mounts = new Map<string, RecordingMount>();

/** Names starting with `prefix` are read through `mount` from now on (a later mount of the same prefix replaces it). */
export function mountRecordings(prefix: string, mount: RecordingMount): void {
  mounts.set(prefix, mount);
}

function mountOf(name: string): RecordingMount | null {
  for (const [prefix, mount] of mounts) if (name.startsWith(prefix)) return mount;
  return null;
}

/** Whether `name` is read through a mount rather than the file system. */
export function isMountedRecording(name: string): boolean {
  return mountOf(name) !== null;
}

export function openRecording(name: string): Promise<RecordingHandle> {
  return mountOf(name)?.open(name) ?? fsp.open(name, 'r');
}

export async function statRecording(name: string): Promise<RecordingStat & { isFile: boolean }> {
  const mount = mountOf(name);
  if (mount) return { ...(await mount.stat(name)), isFile: true };
  const st = await fsp.stat(name);
  return { size: st.size, mtimeMs: st.mtimeMs, identity: `${st.dev}:${st.ino}:${st.size}:${st.mtimeMs}:${st.ctimeMs}`, isFile: st.isFile() };
}

/** The recording's bytes from `start` on, read ahead in large chunks. */
export async function streamRecording(name: string, start: number): Promise<AsyncIterable<Uint8Array>> {
  const mount = mountOf(name);
  return mount ? mount.stream(name, start) : createReadStream(name, { start, highWaterMark: 1024 * 1024 });
}

/** The whole recording in memory (for small ones: callers check the size first). */
export async function readWholeRecording(name: string): Promise<Buffer> {
  if (!mountOf(name)) return fsp.readFile(name);
  const chunks: Uint8Array[] = [];
  for await (const chunk of await streamRecording(name, 0)) chunks.push(chunk);
  return Buffer.concat(chunks);
}
