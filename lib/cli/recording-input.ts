// Finds the recording a command works on: a file path, or a session id stored in the data dir.
// Reads it as a stream of chunks (bounded memory) and reports progress as bytes go by.
import { constants as fsConstants } from 'node:fs';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { detectFormat, readRecordingHead } from '../stream/detect-format.js';
import { isUuid } from '../uploads/ids.js';
import { lstatOwned } from '../safe-fs.js';
import { CliError } from './errors.js';
import type { DataDir } from './data-dir.js';

export interface RecordingFile {
  path: string;
  size: number;
  /** The session id when the file is <sid>.tar or was found by id. */
  sessionId: string | null;
}

export async function findRecording(arg: string, data: DataDir): Promise<RecordingFile> {
  if (arg === '-') {
    throw new CliError('reading a recording from standard input is not supported: it needs a file (parts are found by seeking); save it first, e.g. `cat > session.tar`');
  }
  const direct = await statFile(arg);
  // A path the user names is followed once, here (readers then never follow a link).
  if (direct) return { path: await fs.realpath(arg), size: direct.size, sessionId: sessionIdOfFile(arg) };
  if (isUuid(arg)) {
    const file = path.join(data.records, `${arg.toLowerCase()}.tar`);
    const stored = (await storedFile(file)) ?? (await storedFile(path.join(data.records, `${arg}.tar`)));
    if (stored) return { path: stored.path, size: stored.size, sessionId: arg.toLowerCase() };
    throw new CliError(`no recording for session ${arg} in ${data.records}`);
  }
  throw new CliError(`${arg}: no such file, and not a session id`);
}

async function statFile(file: string): Promise<{ path: string; size: number } | null> {
  try {
    const stat = await fs.stat(file);
    if (stat.isDirectory()) throw new CliError(`${file}: is a directory`);
    if (!stat.isFile()) {
      // A pipe, FIFO or device cannot be seeked: say so instead of failing with ESPIPE.
      throw new CliError(`${file}: not a regular file (a pipe, FIFO or device); recordings are read from files: save it first, e.g. \`cat ${file} > session.tar\``);
    }
    return { path: file, size: stat.size };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
}

/** A recording in the data dir: a regular file we made, never a link (CliError naming it otherwise). */
async function storedFile(file: string): Promise<{ path: string; size: number } | null> {
  let stat;
  try {
    stat = await lstatOwned(file);
  } catch (err) {
    throw new CliError((err as Error).message, 1, { cause: err });
  }
  if (!stat) return null;
  if (!stat.isFile()) throw new CliError(`${file}: is a directory`);
  return { path: file, size: stat.size };
}

function sessionIdOfFile(file: string): string | null {
  const base = path.basename(file);
  const stem = base.endsWith('.tar') ? base.slice(0, -4) : base;
  return isUuid(stem) ? stem : null;
}

/**
 * Fails early with a clear message for files that are not ProtoStream recordings. `lenient`
 * leaves unknown formats to the reader, which names the exact problem and offset (verify).
 */
export async function checkRecordingFormat(file: RecordingFile, lenient = false): Promise<void> {
  const head = await readRecordingHead(file.path);
  if (head.length === 0) throw new CliError(`${file.path}: empty file, not a recording`);
  let format;
  try {
    format = detectFormat(head);
  } catch (err) {
    if (lenient) return;
    throw new CliError(`${file.path}: not a session recording (${(err as Error).message.replace(/^unknown recording format: /, '')})`, 1, { cause: err });
  }
  if (format.format === 'legacy-tar') {
    throw new CliError(`${file.path}: a Teleport recording from before version 4.4 (tar archive); convert it first with 'auditcast import --from legacy ${file.path}'`);
  }
}

/** The file's bytes as chunks; `onBytes` gets the running total. */
export async function* readChunks(file: string, onBytes?: (total: number) => void): AsyncGenerator<Uint8Array> {
  let total = 0;
  // O_NOFOLLOW: findRecording resolved the user's path; a link planted since is refused (ELOOP).
  const handle = await fs.open(file, fsConstants.O_RDONLY | fsConstants.O_NOFOLLOW);
  for await (const chunk of handle.createReadStream({ highWaterMark: 1024 * 1024 })) {
    total += (chunk as Buffer).length;
    onBytes?.(total);
    yield chunk as Buffer;
  }
}
