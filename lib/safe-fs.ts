// The one way auditcast touches files under a directory it owns (data dir, upload dir, scan dir,
// log dir). Someone who can write into such a directory must not be able to make us read, write,
// truncate or publish a file outside it by planting a symbolic link, a hard link or a FIFO:
//
// - files are opened with O_NOFOLLOW (a link is refused, never followed) and O_NONBLOCK (a FIFO
//   cannot hang the open), then fstat'ed: anything but a regular file is refused;
// - a file opened for writing must have one link: writing through a planted hard link would change
//   the other name's contents;
// - temporary files get unpredictable names and are created with O_EXCL (which never follows a link);
// - directories are checked with lstat after mkdir (mkdir -p happily accepts a link to a directory).
//
// Every refusal is an AuditcastError ACCESS_DENIED naming the path. This module is below every layer
// (like errors.ts) so that the uploaders, the audit log and the CLI share it.
import { randomBytes } from 'node:crypto';
import { constants as C, type Stats } from 'node:fs';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import type { Readable } from 'node:stream';
import { AuditcastError, toAuditcastError } from './errors.js';

/** Turns a Node fs error into the library's error codes and words, after `what` (toAuditcastError). */
export function fsError(err: unknown, what: string): AuditcastError {
  return toAuditcastError(err, 'CONNECTION_PROBLEM', what);
}

/** The error for a path that is not what we put there. */
export function refused(file: string, what: string): AuditcastError {
  return new AuditcastError('ACCESS_DENIED', `${file}: ${what}, refused (auditcast never follows links out of its directories)`);
}

function kind(stat: Stats): string {
  if (stat.isSymbolicLink()) return 'is a symbolic link';
  if (stat.isDirectory()) return 'is a directory';
  if (stat.isFIFO()) return 'is a FIFO';
  if (stat.isSocket()) return 'is a socket';
  if (stat.isCharacterDevice() || stat.isBlockDevice()) return 'is a device';
  return 'is not a regular file';
}

const WRITING = C.O_WRONLY | C.O_RDWR;

/**
 * Opens a regular file without following a link. `flags` are fs.constants O_* flags (O_RDONLY,
 * O_RDWR|O_CREAT, O_WRONLY|O_APPEND|O_CREAT...). Errors other than refusals are Node's own, so a
 * caller can still tell ENOENT; use fsError to convert them.
 */
export async function openFile(file: string, flags: number, mode = 0o600): Promise<fs.FileHandle> {
  let handle: fs.FileHandle;
  try {
    handle = await fs.open(file, flags | C.O_NOFOLLOW | C.O_NONBLOCK, mode);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ELOOP') throw refused(file, 'is a symbolic link');
    if (code === 'ENXIO') throw refused(file, 'is a FIFO or socket');
    if (code === 'EISDIR') throw refused(file, 'is a directory');
    throw err;
  }
  try {
    const stat = await handle.stat();
    if (!stat.isFile()) throw refused(file, kind(stat));
    if ((flags & WRITING) !== 0 && stat.nlink > 1) throw refused(file, `has ${stat.nlink} hard links`);
    return handle;
  } catch (err) {
    await handle.close().catch(() => {});
    throw err;
  }
}

/** Reads a whole regular file (never through a link). */
export async function readFile(file: string): Promise<Buffer>;
export async function readFile(file: string, encoding: 'utf8'): Promise<string>;
export async function readFile(file: string, encoding?: 'utf8'): Promise<Buffer | string> {
  const handle = await openFile(file, C.O_RDONLY);
  try {
    return encoding ? await handle.readFile(encoding) : await handle.readFile();
  } finally {
    await handle.close();
  }
}

/** A read stream over a regular file (never through a link); the stream closes the file. */
export async function openReadStream(file: string, options: { highWaterMark?: number; signal?: AbortSignal; start?: number } = {}): Promise<Readable> {
  const handle = await openFile(file, C.O_RDONLY);
  return handle.createReadStream({ ...options, autoClose: true });
}

/** Replaces the contents of a regular file we own (created when missing), never through a link. */
export async function writeFile(file: string, data: string | Uint8Array, mode = 0o600): Promise<void> {
  const handle = await openFile(file, C.O_WRONLY | C.O_CREAT, mode);
  try {
    await handle.truncate(0);
    await handle.writeFile(data);
  } finally {
    await handle.close();
  }
}

/**
 * The lstat of a path we own: null when it does not exist; refused when it is a link or anything
 * other than a regular file or a directory.
 */
export async function lstatOwned(file: string): Promise<Stats | null> {
  let stat: Stats;
  try {
    stat = await fs.lstat(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
  if (!stat.isFile() && !stat.isDirectory()) throw refused(file, kind(stat));
  return stat;
}

/** Throws NOT_FOUND-able ENOENT when missing; refused unless a real directory (not a link to one). */
export async function checkDirectory(dir: string): Promise<void> {
  const stat = await fs.lstat(dir);
  if (!stat.isDirectory()) throw refused(dir, kind(stat));
}

/**
 * Creates `root/...parts` one level at a time with `mode` and checks that every level below root
 * is a real directory. `root` itself is the operator's choice and may be a link.
 */
export async function makeDirectories(root: string, parts: readonly string[], mode: number): Promise<string> {
  let dir = root;
  for (const part of parts) {
    dir = path.join(dir, part);
    try {
      await fs.mkdir(dir, { mode });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    await checkDirectory(dir);
  }
  return dir;
}

/** Checks that every level of `root/...parts` below root is a real directory (ENOENT when missing). */
export async function checkDirectories(root: string, parts: readonly string[]): Promise<string> {
  let dir = root;
  for (const part of parts) {
    dir = path.join(dir, part);
    await checkDirectory(dir);
  }
  return dir;
}

/**
 * Creates a new file `dir/.<stem>.<random>.tmp` with O_EXCL: nobody can plant a link at a name
 * they cannot guess, and O_EXCL refuses one that is there anyway.
 */
export async function createTempFile(dir: string, stem: string, mode = 0o600): Promise<{ path: string; handle: fs.FileHandle }> {
  const file = path.join(dir, `.${stem}.${randomBytes(12).toString('hex')}.tmp`);
  const handle = await fs.open(file, C.O_WRONLY | C.O_CREAT | C.O_EXCL | C.O_NOFOLLOW, mode);
  return { path: file, handle };
}
