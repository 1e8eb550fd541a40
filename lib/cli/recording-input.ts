// Finds the recording a command works on: a file path, or a session id stored in the data dir.
// Reads it as a stream of chunks (bounded memory) and reports progress as bytes go by.
import { createReadStream } from 'node:fs';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { detectFormat, readRecordingHead } from '../stream/detect-format.js';
import { isUuid } from '../uploads/ids.js';
import { CliError } from './errors.js';
import type { DataDir } from './data-dir.js';

export interface RecordingFile {
  path: string;
  size: number;
  /** The session id when the file is <sid>.tar or was found by id. */
  sessionId: string | null;
}

export async function findRecording(arg: string, data: DataDir): Promise<RecordingFile> {
  const direct = await statFile(arg);
  if (direct) return { path: path.resolve(arg), size: direct.size, sessionId: sessionIdOfFile(arg) };
  if (isUuid(arg)) {
    const file = path.join(data.records, `${arg.toLowerCase()}.tar`);
    const stored = (await statFile(file)) ?? (await statFile(path.join(data.records, `${arg}.tar`)));
    if (stored) return { path: stored.path, size: stored.size, sessionId: arg.toLowerCase() };
    throw new CliError(`no recording for session ${arg} in ${data.records}`);
  }
  throw new CliError(`${arg}: no such file, and not a session id`);
}

async function statFile(file: string): Promise<{ path: string; size: number } | null> {
  try {
    const stat = await fs.stat(file);
    if (stat.isDirectory()) throw new CliError(`${file}: is a directory`);
    return { path: file, size: stat.size };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
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
  for await (const chunk of createReadStream(file, { highWaterMark: 1024 * 1024 })) {
    total += (chunk as Buffer).length;
    onBytes?.(total);
    yield chunk as Buffer;
  }
}
