// A MultipartUploader over a local directory in Teleport's filesessions layout, byte for byte, so
// that Teleport can complete and serve what auditcast leaves behind and the reverse:
//
//   D/multi/<uploadId>/<sessionId>/<N>.reservation   reserved part N (preallocated, zero-filled)
//   D/multi/<uploadId>/<sessionId>/<N>.part          uploaded part N (decimal, no padding)
//   D/<sessionId>.tar                                completed recording = parts concatenated
//
// Modes: D 0750, multi/... 0700, files 0600. Ids are checked (ids.ts) before they touch a path.
import { randomUUID } from 'node:crypto';
import { constants as fsConstants } from 'node:fs';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import type { Readable } from 'node:stream';
import { AuditcastError, badParameter, notFound, throwIfAborted } from '../errors.js';
import {
  checkDirectories, createTempFile, fsError, lstatOwned, makeDirectories, openFile, openReadStream, readFile, refused,
} from '../safe-fs.js';
import { writeAll, writeBody } from './write-body.js';
import { checkPartNumber, checkSessionId, checkUploadId, isUuid } from './ids.js';
import type {
  CallOptions, MultipartUploader, StreamPart, StreamUpload, UploadBody, UploadMetadata,
} from './multipart-uploader.js';
import { type ReleaseLock, acquireLockFile } from './lock-file.js';
import { checkOptions, type OptionsSchema } from '../options.js';
import { MaxProtoMessageSizeBytes } from '../events/constants.generated.js';

/** The local file streamer's minimum part size (filesessions.NewStreamer). */
export const FILE_MIN_UPLOAD_BYTES = 128 * 1024;
/** MaxProtoMessageSizeBytes: one event can overshoot a part by at most this much. */

export const UPLOADS_DIR = 'multi';
export const RECORDING_EXT = '.tar';
const PART_EXT = '.part';
const RESERVATION_EXT = '.reservation';

export const SHARED_DIR_MODE = 0o750;
export const PRIVATE_DIR_MODE = 0o700;
export const FILE_MODE = 0o600;

export interface FileUploaderOptions {
  /** Root directory D. Created (0750) on first use. */
  directory: string;
  /** Part size the streamer cuts at; a reservation is this plus 64 KiB. Default 128 KiB. */
  minUploadBytes?: number;
  /** Runs after the parts are joined and before the recording is published (tests inject failures). */
  onBeforeComplete?: (upload: StreamUpload) => void | Promise<void>;
  /** Attempts to take the completion lock (default 3) and the wait between them (default 50 ms). */
  lockAttempts?: number;
  lockRetryDelayMs?: number;
  /** A lock file older than this is left over from a crash and is broken (default 30 s). */
  staleLockMs?: number;
}

const OPTIONS: OptionsSchema<FileUploaderOptions> = {
  directory: { kind: 'string', nonEmpty: true, required: true },
  minUploadBytes: { kind: 'integer', min: 1 },
  onBeforeComplete: { kind: 'function' },
  lockAttempts: { kind: 'integer', min: 1 },
  lockRetryDelayMs: { kind: 'integer', min: 0 },
  staleLockMs: { kind: 'integer', min: 1 },
};

export { fsError } from '../safe-fs.js';

const PART_NAME = /^(\d{1,16})\.part$/;

export class FileUploader implements MultipartUploader {
  readonly directory: string;
  readonly minUploadBytes: number;
  /** Size of a reservation file: minUploadBytes + MaxProtoMessageSizeBytes (196,608 by default). */
  readonly reservationBytes: number;
  private readonly onBeforeComplete?: (upload: StreamUpload) => void | Promise<void>;
  private readonly lockAttempts: number;
  private readonly lockRetryDelayMs: number;
  private readonly staleLockMs: number;
  private ready?: Promise<void>;
  /** Uploads this instance completed (id -> part numbers), so a retried completion succeeds. */
  private readonly completedUploads = new Map<string, string>();

  constructor(options: FileUploaderOptions) {
    checkOptions<FileUploaderOptions>('FileUploader', options, OPTIONS);
    this.directory = path.resolve(options.directory);
    if (this.directory.includes('\0')) throw badParameter('FileUploader: option directory contains a NUL byte');
    this.minUploadBytes = options.minUploadBytes ?? FILE_MIN_UPLOAD_BYTES;
    this.reservationBytes = this.minUploadBytes + MaxProtoMessageSizeBytes;
    this.onBeforeComplete = options.onBeforeComplete;
    this.lockAttempts = options.lockAttempts ?? 3;
    this.lockRetryDelayMs = options.lockRetryDelayMs ?? 50;
    this.staleLockMs = options.staleLockMs ?? 30_000;
  }

  // ---- paths (every caller has checked its ids) ----

  recordingPath(sessionId: string): string {
    return path.join(this.directory, sessionId + RECORDING_EXT);
  }

  uploadsRoot(): string {
    return path.join(this.directory, UPLOADS_DIR);
  }

  uploadRootPath(upload: StreamUpload): string {
    return path.join(this.uploadsRoot(), upload.id);
  }

  uploadPath(upload: StreamUpload): string {
    return path.join(this.uploadsRoot(), upload.id, upload.sessionId);
  }

  partPath(upload: StreamUpload, partNumber: number): string {
    return path.join(this.uploadPath(upload), `${partNumber}${PART_EXT}`);
  }

  reservationPath(upload: StreamUpload, partNumber: number): string {
    return path.join(this.uploadPath(upload), `${partNumber}${RESERVATION_EXT}`);
  }

  // ---- MultipartUploader ----

  async createUpload(sessionId: string, options?: CallOptions): Promise<StreamUpload> {
    throwIfAborted(options?.signal);
    checkSessionId(sessionId);
    await this.ensureDirectory();
    const upload: StreamUpload = { id: randomUUID(), sessionId, initiated: new Date() };
    try {
      await makeDirectories(this.directory, [UPLOADS_DIR, upload.id, upload.sessionId], PRIVATE_DIR_MODE);
      const stat = await fs.lstat(this.uploadRootPath(upload));
      return { ...upload, initiated: stat.mtime };
    } catch (err) {
      throw fsError(err, `create upload for session ${sessionId}`);
    }
  }

  async reserveUploadPart(upload: StreamUpload, partNumber: number, options?: CallOptions): Promise<void> {
    throwIfAborted(options?.signal);
    this.checkUpload(upload);
    checkPartNumber(partNumber);
    const file = this.reservationPath(upload, partNumber);
    let handle: fs.FileHandle | undefined;
    try {
      await this.checkUploadDirs(upload);
      // O_RDWR|O_CREAT without O_EXCL: reserving the same part twice (a retry) is fine.
      handle = await openFile(file, fsConstants.O_RDWR | fsConstants.O_CREAT, FILE_MODE);
    } catch (err) {
      throw fsError(err, `reserve part ${partNumber} of upload ${upload.id}`);
    }
    try {
      // Writing the zeros (not just ftruncate) makes a full disk fail here, before any part data
      // is lost, which is the point of a reservation.
      await writeZeros(handle, this.reservationBytes);
      await handle.close();
      handle = undefined;
    } catch (err) {
      await handle?.close().catch(() => {});
      await fs.rm(file, { force: true }).catch(() => {});
      throw fsError(err, `reserve part ${partNumber} of upload ${upload.id}`);
    }
  }

  async uploadPart(upload: StreamUpload, partNumber: number, body: Uint8Array, options?: CallOptions): Promise<StreamPart> {
    throwIfAborted(options?.signal);
    this.checkUpload(upload);
    checkPartNumber(partNumber);
    if (!(body instanceof Uint8Array)) throw badParameter('uploadPart: body must be a Uint8Array');
    const reservation = this.reservationPath(upload, partNumber);
    const part = this.partPath(upload, partNumber);
    let handle: fs.FileHandle | undefined;
    try {
      await this.checkUploadDirs(upload);
      // A part that was not reserved first is created here (the reservation is an optimisation).
      handle = await openFile(reservation, fsConstants.O_RDWR | fsConstants.O_CREAT, FILE_MODE);
      await writeAll(handle, body);
      await handle.truncate(body.byteLength);
      await handle.close();
      handle = undefined;
      // rename(2) replaces whatever sits at N.part without following it.
      await fs.rename(reservation, part);
      const stat = await fs.lstat(part);
      return { number: partNumber, lastModified: stat.mtime };
    } catch (err) {
      await handle?.close().catch(() => {});
      throw fsError(err, `upload part ${partNumber} of upload ${upload.id}`);
    }
  }

  async listParts(upload: StreamUpload, options?: CallOptions): Promise<StreamPart[]> {
    throwIfAborted(options?.signal);
    this.checkUpload(upload);
    const dir = this.uploadPath(upload);
    let names: string[];
    try {
      await this.checkUploadDirs(upload);
      names = await fs.readdir(dir);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw fsError(err, `list parts of upload ${upload.id}`);
    }
    const parts: StreamPart[] = [];
    for (const name of names) {
      const match = PART_NAME.exec(name);
      if (!match) continue;
      const number = Number(match[1]);
      if (!Number.isSafeInteger(number)) continue;
      const file = path.join(dir, name);
      try {
        const stat = await lstatOwned(file);
        if (!stat?.isFile()) continue; // completed meanwhile, or a directory: not a part (links are refused)
        parts.push({ number, lastModified: stat.mtime });
      } catch (err) {
        throw fsError(err, `list parts of upload ${upload.id}`);
      }
    }
    return parts.sort((a, b) => a.number - b.number);
  }

  async listUploads(options?: CallOptions): Promise<StreamUpload[]> {
    throwIfAborted(options?.signal);
    const root = this.uploadsRoot();
    let entries: import('node:fs').Dirent[];
    try {
      if (!(await lstatOwned(root))?.isDirectory()) return [];
      entries = await fs.readdir(root, { withFileTypes: true });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw fsError(err, 'list uploads');
    }
    const uploads: StreamUpload[] = [];
    for (const entry of entries) {
      // Anything that is not <uuid>/<one directory> is not ours (nor Teleport's): skip it. Dirent
      // types come from lstat, so a link to a directory is skipped too.
      if (!entry.isDirectory() || !isUuid(entry.name)) continue;
      const uploadDir = path.join(root, entry.name);
      try {
        const inner = await fs.readdir(uploadDir, { withFileTypes: true });
        if (inner.length !== 1 || !inner[0]!.isDirectory() || !isUuid(inner[0]!.name)) continue;
        const stat = await fs.lstat(uploadDir);
        uploads.push({ id: entry.name, sessionId: inner[0]!.name, initiated: stat.mtime });
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') continue; // completed meanwhile
        throw fsError(err, 'list uploads');
      }
    }
    return uploads.sort((a, b) => a.initiated.getTime() - b.initiated.getTime());
  }

  /**
   * Joins the parts into <sid>.tar. A recording that already exists is never replaced: the joined
   * upload is kept beside it as <sid>.<uploadId>.stale.tar and ALREADY_EXISTS says so (a later
   * upload of a session is typically a killed import or a replay of one; which one is right is an
   * operator's call). Completing again with the same parts after a success (a lost reply) succeeds.
   */
  async completeUpload(upload: StreamUpload, parts: readonly StreamPart[], options?: CallOptions): Promise<void> {
    throwIfAborted(options?.signal);
    this.checkUpload(upload);
    const numbers = [...new Set(parts.map((part) => checkPartNumber(part.number)))].sort((a, b) => a - b);
    if (this.completedUploads.get(upload.id) === numbers.join(',')) return;
    if (numbers.length === 0) {
      // Nothing was uploaded: an empty stream leaves no recording, only the upload dir goes.
      await this.abortUpload(upload, options);
      return;
    }
    // Check every part before touching anything, so completing a finished or unknown upload is
    // NOT_FOUND and never touches a recording that already exists.
    try {
      await this.checkUploadDirs(upload);
    } catch (err) {
      throw fsError(err, `complete upload ${upload.id}`);
    }
    for (const number of numbers) {
      const file = this.partPath(upload, number);
      const stat = await lstatOwned(file).catch((err: unknown) => { throw fsError(err, `complete upload ${upload.id}: part ${number}`); });
      if (!stat) throw notFound(`complete upload ${upload.id}: part ${number} is not found`);
      if (!stat.isFile()) throw refused(file, 'is a directory');
    }
    const release = await this.lock(upload.sessionId);
    // The parts are joined in a temporary file beside the upload dirs (Teleport's scanner and
    // ListUploads both ignore plain files in multi/) and published with link(2), which never
    // replaces a recording, so a crash never leaves a half-written recording and the upload can
    // simply be completed again.
    let temp: string | undefined;
    let keptAs: string | null = null;
    try {
      // We hold the lock: a temp file of this upload left here was made by a completion that died.
      await removeLeftovers(this.uploadsRoot(), `.${upload.sessionId}.${upload.id}.`);
      const created = await createTempFile(this.uploadsRoot(), `${upload.sessionId}.${upload.id}`, FILE_MODE);
      temp = created.path;
      const out = created.handle;
      try {
        let offset = 0;
        for (const number of numbers) {
          throwIfAborted(options?.signal);
          // One part in memory at a time (5 MiB at most with the default streamer).
          const bytes = await readFile(this.partPath(upload, number));
          await writeAll(out, bytes, offset);
          offset += bytes.byteLength;
        }
        await out.sync();
      } finally {
        await out.close();
      }
      await this.onBeforeComplete?.(upload);
      keptAs = await publish(temp, this.recordingPath(upload.sessionId), this.staleRecordingPath(upload));
    } catch (err) {
      throw fsError(err, `complete upload ${upload.id}`);
    } finally {
      if (temp) await fs.rm(temp, { force: true }).catch(() => {});
      await release();
    }
    await fs.rm(this.uploadRootPath(upload), { recursive: true, force: true }).catch((err: unknown) => {
      throw fsError(err, `remove upload dir of ${upload.id}`);
    });
    if (keptAs) {
      throw new AuditcastError('ALREADY_EXISTS', `recording ${upload.sessionId} already exists and was not replaced; upload ${upload.id} was kept beside it as ${keptAs}`);
    }
    this.completedUploads.set(upload.id, numbers.join(','));
    if (this.completedUploads.size > COMPLETED_MEMORY) this.completedUploads.delete(this.completedUploads.keys().next().value!);
  }

  /** Where a later upload of a session that already has a recording is kept (never listed as a session). */
  staleRecordingPath(upload: StreamUpload): string {
    return path.join(this.directory, `${upload.sessionId}.${upload.id}.stale${RECORDING_EXT}`);
  }

  /** Drops an upload and all its parts and reservations; no recording is written. */
  async abortUpload(upload: StreamUpload, options?: CallOptions): Promise<void> {
    throwIfAborted(options?.signal);
    this.checkUpload(upload);
    try {
      // rm never follows links; a planted multi/<uuid> link is removed, its target left alone.
      await fs.rm(this.uploadRootPath(upload), { recursive: true, force: true });
    } catch (err) {
      throw fsError(err, `abort upload ${upload.id}`);
    }
  }

  getUploadMetadata(sessionId: string): UploadMetadata {
    checkSessionId(sessionId);
    // Teleport's value, sic: the multi dir joined with the session id.
    return { url: `file://${path.join(this.uploadsRoot(), sessionId)}`, sessionId };
  }

  async upload(sessionId: string, body: UploadBody, options?: CallOptions): Promise<string> {
    throwIfAborted(options?.signal);
    checkSessionId(sessionId);
    await this.ensureDirectory();
    const file = this.recordingPath(sessionId);
    if (await lstatOwned(file).catch((err: unknown) => { throw fsError(err, `upload recording ${sessionId}`); })) {
      throw new AuditcastError('ALREADY_EXISTS', `recording ${sessionId} already exists`);
    }
    // Written beside the upload dirs and published with link(2): the recording appears whole or not
    // at all (an async uploader scanning D never sees half of it), and link fails with EEXIST rather
    // than replace a recording that appeared meanwhile.
    let temp: string | undefined;
    let handle: fs.FileHandle | undefined;
    try {
      await makeDirectories(this.directory, [UPLOADS_DIR], PRIVATE_DIR_MODE);
      const created = await createTempFile(this.uploadsRoot(), `${sessionId}.upload`, FILE_MODE);
      temp = created.path;
      handle = created.handle;
      await writeBody(handle, body, options?.signal);
      await handle.sync();
      await handle.close();
      handle = undefined;
      await fs.link(temp, file);
    } catch (err) {
      await handle?.close().catch(() => {});
      if ((err as NodeJS.ErrnoException).code === 'EEXIST') {
        throw new AuditcastError('ALREADY_EXISTS', `recording ${sessionId} already exists`, { cause: err });
      }
      throw fsError(err, `upload recording ${sessionId}`);
    } finally {
      if (temp) await fs.rm(temp, { force: true }).catch(() => {});
    }
    return `file://${file}`;
  }

  async download(sessionId: string, options?: CallOptions): Promise<Buffer> {
    throwIfAborted(options?.signal);
    checkSessionId(sessionId);
    try {
      return await readFile(this.recordingPath(sessionId));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw notFound(`recording ${sessionId} is not found`, err);
      throw fsError(err, `download recording ${sessionId}`);
    }
  }

  async downloadStream(sessionId: string, options?: CallOptions): Promise<Readable> {
    throwIfAborted(options?.signal);
    checkSessionId(sessionId);
    try {
      return await openReadStream(this.recordingPath(sessionId), { signal: options?.signal });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw notFound(`recording ${sessionId} is not found`, err);
      throw fsError(err, `download recording ${sessionId}`);
    }
  }

  // ---- internals ----

  private checkUpload(upload: StreamUpload): void {
    if (upload === null || typeof upload !== 'object') throw badParameter('upload must be a StreamUpload');
    checkUploadId(upload.id);
    checkSessionId(upload.sessionId);
  }

  /** multi/, multi/<uploadId> and multi/<uploadId>/<sessionId> are real directories (ENOENT when missing). */
  private async checkUploadDirs(upload: StreamUpload): Promise<void> {
    await checkDirectories(this.directory, [UPLOADS_DIR, upload.id, upload.sessionId]);
  }

  private ensureDirectory(): Promise<void> {
    this.ready ??= fs.mkdir(this.directory, { recursive: true, mode: SHARED_DIR_MODE })
      .then(() => undefined)
      .catch((err: unknown) => {
        this.ready = undefined;
        throw fsError(err, `create directory ${this.directory}`);
      });
    return this.ready;
  }

  /**
   * The per-session completion lock: a file created with O_EXCL in multi/ holding our pid (Teleport
   * flocks the recording itself; a lock file needs no native code). Teleport's ListUploads and its
   * async uploader's scan both ignore plain files in multi/.
   */
  private lock(sessionId: string): Promise<ReleaseLock> {
    return acquireLockFile(path.join(this.uploadsRoot(), `.${sessionId}.lock`), `recording ${sessionId}`, {
      attempts: this.lockAttempts, retryDelayMs: this.lockRetryDelayMs, staleMs: this.staleLockMs,
    });
  }
}

/** How many completed uploads an instance remembers for retried completions. */
const COMPLETED_MEMORY = 1024;

/**
 * Publishes `temp` as `recording` without ever replacing one: when a recording is there already,
 * `temp` is kept at `stale` instead and that path is returned (null when published).
 */
async function publish(temp: string, recording: string, stale: string): Promise<string | null> {
  try {
    await fs.link(temp, recording);
    return null;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
  // The same bytes: an earlier completion of these parts published it and died before it cleaned
  // up (the same rule as a retried completion in one process: exactly our parts is success).
  if (await sameContents(temp, recording)) return null;
  try {
    await fs.link(temp, stale);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err; // kept by an earlier attempt
  }
  return stale;
}

/** Whether two regular files hold the same bytes (compared 1 MiB at a time; never through a link). */
async function sameContents(a: string, b: string): Promise<boolean> {
  const [first, second] = await Promise.all([openFile(a, fsConstants.O_RDONLY), openFile(b, fsConstants.O_RDONLY)]);
  try {
    const [sa, sb] = await Promise.all([first.stat(), second.stat()]);
    if (sa.size !== sb.size) return false;
    const x = Buffer.alloc(1024 * 1024);
    const y = Buffer.alloc(1024 * 1024);
    for (let at = 0; at < sa.size;) {
      const [ra, rb] = await Promise.all([first.read(x, 0, x.length, at), second.read(y, 0, y.length, at)]);
      if (ra.bytesRead === 0 || ra.bytesRead !== rb.bytesRead || !x.subarray(0, ra.bytesRead).equals(y.subarray(0, rb.bytesRead))) return false;
      at += ra.bytesRead;
    }
    return true;
  } finally {
    await Promise.all([first.close(), second.close()]);
  }
}

/** Removes the regular files `dir/<prefix>*.tmp` (links are removed, never followed). */
async function removeLeftovers(dir: string, prefix: string): Promise<void> {
  for (const name of await fs.readdir(dir)) {
    if (name.startsWith(prefix) && name.endsWith('.tmp')) await fs.rm(path.join(dir, name), { force: true });
  }
}

const ZEROS = Buffer.alloc(64 * 1024);

async function writeZeros(handle: fs.FileHandle, size: number): Promise<void> {
  let offset = 0;
  while (offset < size) {
    const n = Math.min(ZEROS.length, size - offset);
    const { bytesWritten } = await handle.write(ZEROS, 0, n, offset);
    offset += bytesWritten;
  }
  await handle.truncate(size);
}

