// Finds the recording a command works on (a file path, or a session id stored in the data dir),
// checks that it is one, and reads it as a stream of chunks (bounded memory), reporting progress.
// Every failure on the way, from a missing file to a bad CRC in part 7, is an AuditcastError in
// one form, `<file>: <what> [CODE]`, so verify, play, export and index say the same words.
import { constants as fsConstants } from 'node:fs';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { isLegacyRecordingTar, notTeleportTar } from '../auditlog/legacy-recording.js';
import { readTarNames } from '../auditlog/tar.js';
import { AuditcastError, badParameter, corrupted, notFound, toAuditcastError } from '../errors.js';
import { lstatOwned } from '../safe-fs.js';
import { detectFormat } from '../stream/detect-format.js';
import { ProtoReader, type ProtoReaderOptions } from '../stream/proto-reader.js';
import { isMountedRecording, openRecording as openStoredRecording } from '../stream/recording-file.js';
import type { AuditEvent } from '../events/event.js';
import { isUuid } from '../uploads/ids.js';
import type { DataDir } from './data-dir.js';

export interface RecordingFile {
  path: string;
  size: number;
  /** The session id when the file is <sid>.tar or was found by id. */
  sessionId: string | null;
}

/**
 * Any failure while finding or reading the recording at `file`, in the one form every command
 * prints: an AuditcastError whose message starts with the file (a raw Node error gets its code
 * and words from toAuditcastError).
 */
export function recordingError(file: string, err: unknown): AuditcastError {
  if (err instanceof AuditcastError) {
    return err.message.startsWith(`${file}: `) ? err : new AuditcastError(err.code, `${file}: ${err.message}`, { cause: err });
  }
  return toAuditcastError(err, 'CORRUPTED', file);
}

export async function findRecording(arg: string, data: DataDir): Promise<RecordingFile> {
  if (arg === '-') {
    throw badParameter('reading a recording from standard input is not supported: it needs a file (parts are found by seeking); save it first, e.g. `cat > session.tar`');
  }
  const direct = await statFile(arg);
  // A path the user names is followed once, here (readers then never follow a link).
  if (direct) return { path: await fs.realpath(arg), size: direct.size, sessionId: sessionIdOfFile(arg) };
  if (isUuid(arg)) {
    const file = path.join(data.records, `${arg.toLowerCase()}.tar`);
    const stored = (await storedFile(file)) ?? (await storedFile(path.join(data.records, `${arg}.tar`)));
    if (stored) return { path: stored.path, size: stored.size, sessionId: arg.toLowerCase() };
    throw notFound(`no recording for session ${arg} in ${data.records}`);
  }
  throw notFound(`${arg}: no such file or directory, and not a session id`);
}

/** The file the user named (links followed: it is their path); null when there is nothing there. */
async function statFile(file: string): Promise<{ path: string; size: number } | null> {
  let stat;
  try {
    stat = await fs.stat(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw recordingError(file, err);
    const link = await fs.readlink(file).catch(() => null);
    if (link !== null) throw notFound(`${file}: no such file or directory (a symbolic link to ${link}, which does not exist)`, err);
    return null;
  }
  checkFileKind(file, stat);
  return { path: file, size: stat.size };
}

function checkFileKind(file: string, stat: import('node:fs').Stats): void {
  if (stat.isDirectory()) throw badParameter(`${file}: is a directory`);
  // A pipe, FIFO or device cannot be seeked: say so instead of failing with ESPIPE.
  if (!stat.isFile()) throw badParameter(`${file}: not a regular file (a pipe, FIFO or device); recordings are read from files: save it first, e.g. \`cat ${file} > session.tar\``);
}

/** A recording in the data dir: a regular file we made, never a link (refused, naming it). */
async function storedFile(file: string): Promise<{ path: string; size: number } | null> {
  let stat;
  try {
    stat = await lstatOwned(file);
  } catch (err) {
    throw recordingError(file, err);
  }
  if (!stat) return null;
  checkFileKind(file, stat);
  return { path: file, size: stat.size };
}

function sessionIdOfFile(file: string): string | null {
  const base = path.basename(file);
  const stem = base.endsWith('.tar') ? base.slice(0, -4) : base;
  return isUuid(stem) ? stem : null;
}

/**
 * Fails early with a clear message for files that are not ProtoStream recordings: empty, another
 * kind of file, a tar archive that is not a Teleport recording, or a legacy (pre-4.4) one.
 */
export async function checkRecordingFormat(file: RecordingFile): Promise<void> {
  try {
    // O_NOFOLLOW: findRecording resolved the user's path; a link planted since is refused (ELOOP).
    const handle = isMountedRecording(file.path) ? await openStoredRecording(file.path) : await fs.open(file.path, fsConstants.O_RDONLY | fsConstants.O_NOFOLLOW);
    try {
      const head = Buffer.alloc(512);
      const { bytesRead } = await handle.read(head, 0, head.length, 0);
      if (bytesRead === 0) throw corrupted('empty file, not a recording');
      let format;
      try {
        format = detectFormat(head.subarray(0, bytesRead));
      } catch (err) {
        throw corrupted(`not a session recording (${(err as Error).message.replace(/^unknown recording format: /, '')})`, err);
      }
      if (format.format !== 'legacy-tar') return;
      const names = await readTarNames(handle);
      if (!isLegacyRecordingTar(names)) throw corrupted(notTeleportTar(names));
      throw new AuditcastError('UNSUPPORTED', `a Teleport recording from before version 4.4 (tar archive); convert it first with 'auditcast import --from legacy ${file.path}'`);
    } finally {
      await handle.close();
    }
  } catch (err) {
    throw recordingError(file.path, err);
  }
}

/** findRecording, then checkRecordingFormat: the recording a command reads. */
export async function openRecording(arg: string, data: DataDir): Promise<RecordingFile> {
  const file = await findRecording(arg, data);
  await checkRecordingFormat(file);
  return file;
}

/** The file's bytes as chunks from an open handle; `onBytes` gets the running total. */
async function* readChunks(handle: fs.FileHandle, onBytes?: (total: number) => void): AsyncGenerator<Uint8Array> {
  let total = 0;
  for await (const chunk of handle.createReadStream({ highWaterMark: 1024 * 1024 })) {
    total += (chunk as Buffer).length;
    onBytes?.(total);
    yield chunk as Buffer;
  }
}

/**
 * A ProtoReader over a recording file whose every error names the file (recordingError): the
 * reader itself speaks of parts and byte offsets, not of files.
 */
export class RecordingReader extends ProtoReader {
  private constructor(readonly file: string, handle: fs.FileHandle, options: ProtoReaderOptions & { onBytes?: (total: number) => void }) {
    super(readChunks(handle, options.onBytes), options);
  }

  static async open(file: string, options: ProtoReaderOptions & { onBytes?: (total: number) => void } = {}): Promise<RecordingReader> {
    let handle;
    try {
      // O_NOFOLLOW: findRecording resolved the user's path; a link planted since is refused (ELOOP).
      handle = await fs.open(file, fsConstants.O_RDONLY | fsConstants.O_NOFOLLOW);
    } catch (err) {
      throw recordingError(file, err);
    }
    return new RecordingReader(file, handle, options);
  }

  override async read(): Promise<AuditEvent | null> {
    try {
      return await super.read();
    } catch (err) {
      throw recordingError(this.file, err);
    }
  }

  override async *batches(): AsyncGenerator<Iterable<AuditEvent>, void, undefined> {
    try {
      for await (const batch of super.batches()) yield this.named(batch);
    } catch (err) {
      throw recordingError(this.file, err);
    }
  }

  override [Symbol.asyncIterator](): AsyncIterator<AuditEvent> {
    const inner = super[Symbol.asyncIterator]();
    const name = (err: unknown) => Promise.reject(recordingError(this.file, err));
    return {
      next: () => inner.next().catch(name),
      return: () => inner.return!(),
    };
  }

  /** A part's events, decoded as they are taken: a record that fails names the file too. */
  private *named(batch: Iterable<AuditEvent>): Generator<AuditEvent, void, undefined> {
    try {
      yield* batch;
    } catch (err) {
      throw recordingError(this.file, err);
    }
  }
}
