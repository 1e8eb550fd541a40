// The on-disk async uploader (Teleport filesessions/fileasync.go): sessions recorded to local disk
// by the file streamer end up as <scanDir>/<sid>.tar; this uploader scans for them and sends each
// one upstream through an audit streamer, keeping its progress in <sid>.checkpoint so that a crash
// or an upstream failure resumes where it stopped. A recording that cannot be read gets a
// <sid>.error file and is moved, with it, to the corrupted dir on the next scan. A recording is
// deleted only after its upload completed.
//
// Files in scanDir: <uuid>.tar (a recording), <uuid>.checkpoint (JSON StreamStatus, Teleport's
// field names), <uuid>.error (the reason, plain text). Directories (multi/, .locks/) are skipped.
import { constants as fsConstants } from 'node:fs';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import type { AuditEvent } from '../events/event.js';
import { AuditcastError, isAuditcastError, toAuditcastError } from '../errors.js';
import { ProtoReader } from '../stream/proto-reader.js';
import type { StreamStatus } from '../stream/status-channel.js';
import type { AuditStream, Streamer } from '../stream/streamer.js';
import { fsError, lstatOwned, openFile, writeFile } from '../safe-fs.js';
import { isUuid } from './ids.js';
import { lockOwnerInfo, tryLockFile } from './lock-file.js';
import type { UploadEvent } from './memory-uploader.js';
import { checkOptions, type OptionsSchema } from '../options.js';
import { CHECKPOINT_EXT, formatCheckpoint, parseCheckpoint } from './checkpoint.js';

export const ERROR_EXT = '.error';
const TAR_EXT = '.tar';
/** defaults.UploaderScanPeriod */
export const UPLOADER_SCAN_PERIOD_MS = 5000;
/** defaults.UploaderConcurrentUploads */
export const UPLOADER_CONCURRENT_UPLOADS = 10;
/** NetworkRetryDuration: how long to wait for an upstream stream's first status. */
export const FIRST_STATUS_TIMEOUT_MS = 1000;
/** A lock not refreshed for this long was left by a hung or killed uploader and is broken. */
export const UPLOAD_LOCK_STALE_MS = 5 * 60 * 1000;
/** The scan period backs off linearly up to this many periods while uploads fail. */
const MAX_BACKOFF_PERIODS = 100;

export interface AsyncUploaderOptions {
  /** Where finished local recordings appear (Teleport: log/upload/streaming/default). */
  scanDir: string;
  /** Where unreadable recordings go (Teleport: log/upload/corrupted/default). */
  corruptedDir: string;
  /** The upstream (Teleport: the auth server's streamer); a ProtoStreamer on any uploader works. */
  streamer: Streamer;
  scanPeriodMs?: number;
  initialScanDelayMs?: number;
  concurrentUploads?: number;
  firstStatusTimeoutMs?: number;
  /** Told about every finished upload attempt: success (no error) or failure. */
  onUploadEvent?: (event: UploadEvent) => void;
  /** Upload locks older than this (not refreshed by a live holder) are broken (default 5 min). */
  lockStaleMs?: number;
  /**
   * Told once per session and lock holder when a recording is skipped because another process
   * holds its upload lock (default: a process warning), so a stuck lock is never silent.
   */
  onBlocked?: (sessionId: string, message: string) => void;
}

const OPTIONS: OptionsSchema<AsyncUploaderOptions> = {
  scanDir: { kind: 'string', nonEmpty: true, required: true },
  corruptedDir: { kind: 'string', nonEmpty: true, required: true },
  streamer: { kind: 'object', methods: ['createAuditStream', 'resumeAuditStream'], required: true },
  scanPeriodMs: { kind: 'integer', min: 1 },
  initialScanDelayMs: { kind: 'integer', min: 0 },
  concurrentUploads: { kind: 'integer', min: 1 },
  firstStatusTimeoutMs: { kind: 'integer', min: 1 },
  onUploadEvent: { kind: 'function' },
  lockStaleMs: { kind: 'integer', min: 1 },
  onBlocked: { kind: 'function' },
};

export interface ScanStats {
  /** Candidate recording files seen (everything but directories, checkpoints and errors). */
  scanned: number;
  /** Uploads started by this scan. */
  started: number;
  /** Recordings moved to the corrupted dir, plus files whose names are not <uuid>.tar. */
  corrupted: number;
  /** Recordings skipped because another live process holds their upload lock. */
  blocked: number;
}

export interface AsyncUploaderStats {
  streamsCreated: number;
  streamsResumed: number;
  uploadsCompleted: number;
  uploadsFailed: number;
  sessionErrors: number;
}

/** A problem with the recording itself: retrying cannot fix it. */
export class SessionError extends AuditcastError {
  constructor(message: string, cause?: unknown) {
    super('CORRUPTED', message, { cause });
    this.name = 'SessionError';
  }
}

export function isSessionError(err: unknown): err is SessionError {
  return err instanceof SessionError;
}

export class AsyncUploader {
  readonly scanDir: string;
  readonly corruptedDir: string;
  readonly stats: AsyncUploaderStats = { streamsCreated: 0, streamsResumed: 0, uploadsCompleted: 0, uploadsFailed: 0, sessionErrors: 0 };
  private readonly streamer: Streamer;
  private readonly scanPeriodMs: number;
  private readonly initialScanDelayMs: number;
  private readonly concurrentUploads: number;
  private readonly firstStatusTimeoutMs: number;
  private readonly onUploadEvent?: (event: UploadEvent) => void;
  private readonly lockStaleMs: number;
  private readonly onBlocked: (sessionId: string, message: string) => void;
  /** Blocked sessions already reported, with the lock holder reported. */
  private readonly reportedBlocks = new Map<string, string>();
  private readonly active = new Map<string, Promise<void>>();
  private consecutiveFailures = 0;
  private timer?: NodeJS.Timeout;
  private closed = false;

  constructor(options: AsyncUploaderOptions) {
    checkOptions<AsyncUploaderOptions>('AsyncUploader', options, OPTIONS);
    this.scanDir = path.resolve(options.scanDir);
    this.corruptedDir = path.resolve(options.corruptedDir);
    this.streamer = options.streamer;
    this.scanPeriodMs = options.scanPeriodMs ?? UPLOADER_SCAN_PERIOD_MS;
    this.initialScanDelayMs = options.initialScanDelayMs ?? 0;
    this.concurrentUploads = options.concurrentUploads ?? UPLOADER_CONCURRENT_UPLOADS;
    this.firstStatusTimeoutMs = options.firstStatusTimeoutMs ?? FIRST_STATUS_TIMEOUT_MS;
    this.onUploadEvent = options.onUploadEvent;
    this.lockStaleMs = options.lockStaleMs ?? UPLOAD_LOCK_STALE_MS;
    this.onBlocked = options.onBlocked ?? ((_, message) => process.emitWarning(message, 'AuditcastUploadBlocked'));
  }

  /** Scans periodically until close(); the period backs off while uploads fail. */
  serve(): void {
    if (this.timer || this.closed) return;
    this.schedule(this.initialScanDelayMs);
  }

  /** Stops scanning and waits for the uploads in flight. */
  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    await this.drain();
  }

  /** Waits for the uploads in flight. */
  async drain(): Promise<void> {
    while (this.active.size > 0) await Promise.allSettled([...this.active.values()]);
  }

  /** Current delay between scans (the scan period times the backoff). */
  get nextScanDelayMs(): number {
    return this.scanPeriodMs * Math.min(MAX_BACKOFF_PERIODS, 1 + this.consecutiveFailures);
  }

  /** One scan: moves corrupted recordings and starts uploads (not awaited; see drain()). */
  async scan(): Promise<ScanStats> {
    const stats: ScanStats = { scanned: 0, started: 0, corrupted: 0, blocked: 0 };
    let entries: import('node:fs').Dirent[];
    try {
      entries = await fs.readdir(this.scanDir, { withFileTypes: true });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return stats;
      throw new AuditcastError('CONNECTION_PROBLEM', `scan ${this.scanDir}: ${(err as Error).message}`, { cause: err });
    }
    const names = new Set(entries.map((e) => e.name));
    for (const entry of entries.sort((a, b) => a.name.localeCompare(b.name))) {
      if (entry.isDirectory()) continue;
      const ext = path.extname(entry.name);
      if (ext === CHECKPOINT_EXT || ext === ERROR_EXT) continue;
      stats.scanned++;
      const sessionId = ext === TAR_EXT ? entry.name.slice(0, -TAR_EXT.length) : '';
      if (!entry.isFile() || !isUuid(sessionId)) {
        stats.corrupted++; // not ours to upload, and not ours to move either
        continue;
      }
      if (names.has(sessionId + ERROR_EXT)) {
        if (await this.moveToCorrupted(sessionId)) stats.corrupted++;
        continue;
      }
      if (this.active.has(sessionId) || this.active.size >= this.concurrentUploads || this.closed) continue;
      const release = await tryLockFile(this.lockPath(sessionId), { staleMs: this.lockStaleMs });
      if (!release) {
        stats.blocked++;
        await this.reportBlocked(sessionId);
        continue; // another live process is uploading it
      }
      this.reportedBlocks.delete(sessionId);
      stats.started++;
      const job = this.upload(sessionId)
        .then((uploadId) => {
          this.consecutiveFailures = 0;
          this.stats.uploadsCompleted++;
          this.onUploadEvent?.({ sessionId, uploadId, created: new Date() });
        }, async (err: unknown) => {
          const error = toAuditcastError(err);
          this.stats.uploadsFailed++;
          if (error.code === 'NOT_FOUND' && !(await lstatOwned(this.tarPath(sessionId)).catch(() => true))) {
            // The recording vanished after the scan (uploaded by another process, or removed):
            // nothing to retry, nothing to leave behind.
            await fs.rm(this.checkpointPath(sessionId), { force: true }).catch(() => {});
          } else if (isSessionError(error)) {
            this.stats.sessionErrors++;
            await writeFile(this.errorPath(sessionId), error.message).catch(() => {});
          } else {
            this.consecutiveFailures++;
          }
          this.onUploadEvent?.({ sessionId, uploadId: '', error, created: new Date() });
        })
        .finally(async () => {
          await release();
          this.active.delete(sessionId);
        });
      this.active.set(sessionId, job);
    }
    return stats;
  }

  // ------------------------------------------------------------------------------------------

  private schedule(ms: number): void {
    this.timer = setTimeout(() => {
      this.scan()
        .catch(() => { this.consecutiveFailures++; })
        .finally(() => { if (!this.closed) this.schedule(this.nextScanDelayMs); });
    }, ms);
    this.timer.unref?.();
  }

  private tarPath(sessionId: string): string { return path.join(this.scanDir, sessionId + TAR_EXT); }
  private checkpointPath(sessionId: string): string { return path.join(this.scanDir, sessionId + CHECKPOINT_EXT); }
  private errorPath(sessionId: string): string { return path.join(this.scanDir, sessionId + ERROR_EXT); }
  /** Locks live in a directory: Teleport's scanner skips directories, so it never trips on them. */
  private lockPath(sessionId: string): string { return path.join(this.scanDir, '.locks', `${sessionId}.lock`); }

  private async reportBlocked(sessionId: string): Promise<void> {
    const owner = await lockOwnerInfo(this.lockPath(sessionId));
    const holder = owner ? `pid ${owner.pid}` : 'an unknown process';
    if (this.reportedBlocks.get(sessionId) === holder) return;
    this.reportedBlocks.set(sessionId, holder);
    this.onBlocked(sessionId, `upload of ${this.tarPath(sessionId)} is blocked: ${holder} holds ${this.lockPath(sessionId)} (broken when that process is gone or the lock is not refreshed for ${this.lockStaleMs} ms)`);
  }

  private async moveToCorrupted(sessionId: string): Promise<boolean> {
    await fs.mkdir(this.corruptedDir, { recursive: true, mode: 0o700 }); // the operator's choice, like scanDir
    let moved = false;
    for (const name of [sessionId + TAR_EXT, sessionId + ERROR_EXT]) {
      const from = path.join(this.scanDir, name);
      const to = path.join(this.corruptedDir, name);
      // Only regular files we made move; a link is refused (rename would carry it along, copyFile
      // would follow it).
      if (!(await lstatOwned(from))?.isFile()) continue;
      try {
        await fs.rename(from, to);
        moved = true;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'EXDEV') {
          const source = await openFile(from, fsConstants.O_RDONLY);
          try {
            await fs.writeFile(to, source.createReadStream({ autoClose: false }), { mode: 0o600, flag: 'wx' });
          } finally {
            await source.close();
          }
          await fs.rm(from);
          moved = true;
        } else if ((err as NodeJS.ErrnoException).code !== 'ENOENT') {
          throw err;
        }
      }
    }
    await fs.rm(this.checkpointPath(sessionId), { force: true });
    return moved;
  }

  /** Uploads one recording; resolves with the upstream upload id. */
  private async upload(sessionId: string): Promise<string> {
    const checkpointFile = this.checkpointPath(sessionId);
    // The recording first: one that vanished after the scan is NOT_FOUND and leaves nothing behind.
    let tar: fs.FileHandle;
    try {
      tar = await openFile(this.tarPath(sessionId), fsConstants.O_RDONLY);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new AuditcastError('NOT_FOUND', `recording ${this.tarPath(sessionId)} is gone`, { cause: err });
      throw fsError(err, `open recording ${this.tarPath(sessionId)}`);
    }
    let checkpoint: fs.FileHandle;
    try {
      checkpoint = await openFile(checkpointFile, fsConstants.O_RDWR | fsConstants.O_CREAT, 0o600);
    } catch (err) {
      await tar.close();
      throw fsError(err, `open checkpoint ${checkpointFile}`);
    }
    let reader: ProtoReader | undefined;
    try {
      let saved: StreamStatus | null = null;
      try {
        saved = parseCheckpoint(await checkpoint.readFile('utf8'));
      } catch {
        saved = null; // an unreadable checkpoint costs a fresh upload, never the recording
      }
      reader = new ProtoReader(tar.createReadStream({ autoClose: false }));
      // Read the first event before touching upstream: garbage never opens an upload.
      const first = await readOrSessionError(reader, sessionId);

      let stream: AuditStream | null = null;
      let skipThrough = -1;
      if (saved) {
        try {
          stream = await this.streamer.resumeAuditStream(sessionId, saved.uploadId);
          this.stats.streamsResumed++;
          skipThrough = saved.lastEventIndex;
        } catch (err) {
          if (!isAuditcastError(err, 'NOT_FOUND')) throw err;
        }
      }
      if (!stream) {
        stream = await this.streamer.createAuditStream(sessionId);
        this.stats.streamsCreated++;
      }
      const firstStatus = await withTimeout(stream.status.next(), this.firstStatusTimeoutMs,
        () => new AuditcastError('CONNECTION_PROBLEM', 'timeout waiting for stream status update'));
      if (!firstStatus) throw new AuditcastError('CONNECTION_PROBLEM', 'stream ended before its first status update');
      const uploadId = firstStatus.uploadId;
      // The checkpoint never goes backwards: a resumed stream starts its status at -1.
      let acknowledged = skipThrough;
      const writeStatus = async (status: StreamStatus) => {
        acknowledged = Math.max(acknowledged, status.lastEventIndex);
        const text = formatCheckpoint({ uploadId, lastEventIndex: acknowledged, lastUploadTime: status.lastUploadTime });
        await checkpoint.write(text, 0, 'utf8');
        await checkpoint.truncate(Buffer.byteLength(text));
      };
      await writeStatus(firstStatus);
      let pumpError: unknown = null;
      const pump = (async () => {
        try {
          for (let s = await stream.status.next(); s; s = await stream.status.next()) await writeStatus(s);
        } catch (err) {
          pumpError = err;
        }
      })();

      try {
        for (let event: AuditEvent | null = first; event; event = await readOrSessionError(reader, sessionId)) {
          if ((event.Metadata?.Index ?? 0) <= skipThrough) continue;
          await stream.recordEvent(event);
        }
        await stream.complete();
      } catch (err) {
        // Leave the upload open upstream; the checkpoint says where to resume.
        if (!isSessionError(err)) await stream.close().catch(() => {});
        throw err;
      } finally {
        await pump;
      }
      if (pumpError) throw new AuditcastError('CONNECTION_PROBLEM', `write checkpoint ${checkpointFile}: ${(pumpError as Error).message}`, { cause: pumpError });
      await checkpoint.close();
      // Only now, with the upload complete, may the local copy go.
      await fs.rm(this.tarPath(sessionId), { force: true });
      await fs.rm(checkpointFile, { force: true });
      return uploadId;
    } finally {
      await reader?.close().catch(() => {});
      await tar.close().catch(() => {});
      await checkpoint.close().catch(() => {});
    }
  }
}

async function readOrSessionError(reader: ProtoReader, sessionId: string): Promise<AuditEvent | null> {
  try {
    return await reader.read();
  } catch (err) {
    if ((err as NodeJS.ErrnoException)?.code === 'ENOENT') throw new AuditcastError('NOT_FOUND', `recording ${sessionId} is gone`, { cause: err });
    throw new SessionError(`session file could be corrupted or is using unsupported format: ${(err as Error)?.message ?? String(err)}`, err);
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number, onTimeout: () => Error): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([
    promise,
    new Promise<never>((_, reject) => { timer = setTimeout(() => reject(onTimeout()), ms); }),
  ]).finally(() => clearTimeout(timer));
}
