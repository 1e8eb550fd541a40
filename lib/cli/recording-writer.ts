// Where an imported recording goes: <data>/records/<sid>.tar (Teleport's filesessions layout) or a
// file of the user's choosing. Its parts are appended straight into a temporary file beside it,
// each written once, and the file is published whole (SingleFileUploader): a failed or killed
// import never leaves half a recording, and an import needs no resumable upload (run it again).
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { MinUploadPartSizeBytes } from '../events/constants.generated.js';
import { ProtoStreamer } from '../stream/proto-streamer.js';
import type { ProtoStream } from '../stream/proto-stream.js';
import { SHARED_DIR_MODE } from '../uploads/file-uploader.js';
import { SingleFileUploader } from '../uploads/single-file-uploader.js';
import { CliError } from './errors.js';

export interface RecordingSinkOptions {
  sessionId: string;
  /** Write to this file instead of the data dir's records. */
  out?: string;
  /** The data dir's records directory (used when `out` is not set). */
  recordsDir: string;
  /** Part size (default 5 MiB, Teleport's auth storage size). */
  partSize?: number;
  /** Idle time before the current part is uploaded (record keeps Teleport's 5 minutes; import: never). */
  inactivityFlushMs?: number;
  /** Replace an existing recording. */
  overwrite?: boolean;
}

export interface RecordingSink {
  readonly stream: ProtoStream;
  /** Where the finished recording is. */
  readonly path: string;
  /** Completes the upload and puts the file in place. */
  finish(): Promise<string>;
  /** Leaves nothing behind (best effort). */
  abort(): Promise<void>;
}

async function exists(file: string): Promise<boolean> {
  try {
    await fs.access(file);
    return true;
  } catch {
    return false;
  }
}

export async function openRecordingSink(options: RecordingSinkOptions): Promise<RecordingSink> {
  const partSize = options.partSize ?? MinUploadPartSizeBytes;
  const finalPath = options.out !== undefined
    ? path.resolve(options.out)
    : path.join(options.recordsDir, `${options.sessionId}.tar`);
  if (!options.overwrite && (await exists(finalPath))) {
    throw new CliError(`${finalPath} already exists (session ${options.sessionId}); use --force to replace it`);
  }
  if (options.out === undefined) {
    try {
      await fs.mkdir(options.recordsDir, { recursive: true, mode: SHARED_DIR_MODE });
    } catch (err) {
      throw new CliError(`cannot write ${finalPath}: ${(err as Error).message}`, 1, { cause: err });
    }
  }
  const uploader = new SingleFileUploader({ file: finalPath, sessionId: options.sessionId, replace: options.overwrite === true });
  const streamer = new ProtoStreamer({ uploader, minUploadBytes: partSize, inactivityFlushMs: options.inactivityFlushMs ?? 0 });
  const stream = await streamer.createAuditStream(options.sessionId);
  return {
    stream,
    path: finalPath,
    async finish() {
      await stream.complete();
      if (stream.error) throw stream.error;
      return finalPath;
    },
    async abort() {
      await stream.close().catch(() => {});
      for (const upload of await uploader.listUploads()) await uploader.abortUpload(upload).catch(() => {});
    },
  };
}
