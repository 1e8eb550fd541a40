// Who is recording a session: `record` keeps <records>/multi/.<sid>.recording (pid, host, start)
// while it runs and touches it every HEARTBEAT_MS, so an idle shell is told apart from a recorder
// that was killed. An upload is abandoned when its owner is a dead process on this host (at once),
// or when nothing touched it (owner file, upload dir, parts) for the grace period: a pid can be
// reused, and an upload written by another program (or host) has no owner file at all.
// The file is a plain dot-file in multi/, which Teleport's scanners and ListUploads ignore.
import { constants as fsConstants } from 'node:fs';
import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { fsError, PRIVATE_DIR_MODE, SHARED_DIR_MODE, UPLOADS_DIR } from '../../uploads/file-uploader.js';
import type { StreamUpload } from '../../uploads/multipart-uploader.js';
import { checkSessionId } from '../../uploads/ids.js';

export const HEARTBEAT_MS = 10_000;
/** An upload untouched this long is abandoned whatever its owner file says (12 heartbeats). */
export const ABANDONED_AFTER_MS = 2 * 60_000;

const OWNER_EXT = '.recording';

interface OwnerRecord {
  pid: number;
  host: string;
  startedAt: string;
}

export function ownerPath(records: string, sessionId: string): string {
  return path.join(records, UPLOADS_DIR, `.${checkSessionId(sessionId)}${OWNER_EXT}`);
}

export interface RecordingOwner {
  /** Removes the owner file: the recording is complete (or was never started). */
  release(): Promise<void>;
  /** Stops the heartbeat and keeps the file: once this process is gone, recover completes the upload. */
  leave(): Promise<void>;
}

/** Claims the session for this process (O_EXCL: a session has one recorder) and starts the heartbeat. */
export async function claimRecording(records: string, sessionId: string): Promise<RecordingOwner> {
  const file = ownerPath(records, sessionId);
  let handle: fs.FileHandle;
  try {
    await fs.mkdir(records, { recursive: true, mode: SHARED_DIR_MODE });
    await fs.mkdir(path.dirname(file), { recursive: true, mode: PRIVATE_DIR_MODE });
    handle = await fs.open(file, fsConstants.O_WRONLY | fsConstants.O_CREAT | fsConstants.O_EXCL | fsConstants.O_NOFOLLOW, 0o600);
    const owner: OwnerRecord = { pid: process.pid, host: os.hostname(), startedAt: new Date().toISOString() };
    await handle.writeFile(`${JSON.stringify(owner)}\n`);
    await handle.sync();
  } catch (err) {
    throw fsError(err, `claim recording ${sessionId} (${file})`);
  }
  // futimes on our own descriptor: never follows a link planted in place of the file.
  const timer = setInterval(() => {
    const now = new Date();
    handle.utimes(now, now).catch(() => {});
  }, HEARTBEAT_MS);
  timer.unref();
  let closed = false;
  const close = async () => {
    if (closed) return false;
    closed = true;
    clearInterval(timer);
    await handle.close().catch(() => {});
    return true;
  };
  return {
    async release() {
      if (await close()) await fs.rm(file, { force: true });
    },
    async leave() {
      await close();
    },
  };
}

export type UploadState =
  | { state: 'recording'; pid: number }
  | { state: 'abandoned'; why: string };

async function readOwner(file: string): Promise<{ owner: OwnerRecord | null; mtimeMs: number } | null> {
  let handle: fs.FileHandle;
  try {
    handle = await fs.open(file, fsConstants.O_RDONLY | fsConstants.O_NOFOLLOW);
  } catch {
    return null;
  }
  try {
    const stat = await handle.stat();
    if (!stat.isFile()) return null;
    try {
      const owner = JSON.parse(await handle.readFile('utf8')) as OwnerRecord;
      return { owner: Number.isSafeInteger(owner.pid) && owner.pid > 0 ? owner : null, mtimeMs: stat.mtimeMs };
    } catch {
      return { owner: null, mtimeMs: stat.mtimeMs }; // torn by a crash while it was written
    }
  } finally {
    await handle.close();
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM'; // alive, someone else's
  }
}

/** The newest modification time of the upload dir and the files in it (0 when gone). */
async function lastTouched(uploadDir: string): Promise<number> {
  let newest = 0;
  try {
    newest = (await fs.lstat(uploadDir)).mtimeMs;
    for (const name of await fs.readdir(uploadDir)) {
      const stat = await fs.lstat(path.join(uploadDir, name)).catch(() => null);
      if (stat) newest = Math.max(newest, stat.mtimeMs);
    }
  } catch {
    // gone meanwhile: nothing touched it
  }
  return newest;
}

/** Whether an upload in <records>/multi is still being recorded or was left behind. */
export async function uploadState(records: string, upload: StreamUpload, now = Date.now(), graceMs = ABANDONED_AFTER_MS): Promise<UploadState> {
  const found = await readOwner(ownerPath(records, upload.sessionId));
  const owner = found?.owner;
  if (owner && owner.host === os.hostname() && !isAlive(owner.pid)) {
    return { state: 'abandoned', why: `its recorder (pid ${owner.pid}) is gone` };
  }
  const touched = Math.max(found?.mtimeMs ?? 0, await lastTouched(path.join(records, UPLOADS_DIR, upload.id, upload.sessionId)));
  const idle = now - touched;
  if (idle >= graceMs) return { state: 'abandoned', why: `nothing was written for ${Math.round(idle / 1000)} s` };
  return { state: 'recording', pid: owner?.pid ?? 0 };
}

/** Removes a session's owner file once its upload is completed (by the recorder or by recover). */
export async function removeOwner(records: string, sessionId: string): Promise<void> {
  await fs.rm(ownerPath(records, sessionId), { force: true });
}
