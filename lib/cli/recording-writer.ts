// Where a new recording goes: into the data dir through the FileUploader (<data>/records/<sid>.tar,
// Teleport's filesessions layout, multipart upload under records/multi/ while it is written), or
// into a file of the user's choosing (written the same way in a temporary directory beside it,
// then renamed, so a failed import never leaves half a file).
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { MinUploadPartSizeBytes } from '../events/constants.generated.js';
import { ProtoStreamer } from '../stream/proto-streamer.js';
import type { ProtoStream } from '../stream/proto-stream.js';
import { FileUploader } from '../uploads/file-uploader.js';
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
  let directory: string;
  let temporary: string | null = null;
  // A file of the user's, or a recording replaced with --force (the uploader never overwrites a
  // completed recording), is written in a temporary directory beside it and renamed into place.
  if (options.out !== undefined || (await exists(finalPath))) {
    const dir = path.dirname(finalPath);
    try {
      temporary = await fs.mkdtemp(path.join(dir, '.auditcast-'));
    } catch (err) {
      throw new CliError(`cannot write ${finalPath}: ${(err as Error).message}`, 1, { cause: err });
    }
    directory = temporary;
  } else {
    directory = options.recordsDir;
  }
  const uploader = new FileUploader({ directory, minUploadBytes: Math.max(partSize, 1024) });
  const streamer = new ProtoStreamer({ uploader, minUploadBytes: partSize, inactivityFlushMs: options.inactivityFlushMs ?? 0 });
  const stream = await streamer.createAuditStream(options.sessionId);
  const written = uploader.recordingPath(options.sessionId);
  return {
    stream,
    path: finalPath,
    async finish() {
      await stream.complete();
      if (stream.error) throw stream.error;
      if (temporary) {
        await fs.rename(written, finalPath);
        await fs.rm(temporary, { recursive: true, force: true });
      }
      return finalPath;
    },
    async abort() {
      await stream.close().catch(() => {});
      if (temporary) await fs.rm(temporary, { recursive: true, force: true }).catch(() => {});
      else {
        const uploads = await uploader.listUploads().catch(() => []);
        for (const u of uploads) if (u.sessionId === options.sessionId) await uploader.abortUpload(u).catch(() => {});
      }
    },
  };
}
