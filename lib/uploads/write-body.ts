// Writing an upload's body (bytes, or an async iterable of chunks) into an open file, whole: a
// short write is continued, and the signal is checked between chunks.
import type * as fs from 'node:fs/promises';
import { throwIfAborted } from '../errors.js';
import type { UploadBody } from './multipart-uploader.js';

/** Writes all of `body` at `position` (short writes are continued). */
export async function writeAll(handle: fs.FileHandle, body: Uint8Array, position = 0): Promise<void> {
  let done = 0;
  while (done < body.byteLength) {
    const { bytesWritten } = await handle.write(body, done, body.byteLength - done, position + done);
    done += bytesWritten;
  }
}

/** Writes an upload body from the start of the file; returns the bytes written. */
export async function writeBody(handle: fs.FileHandle, body: UploadBody, signal?: AbortSignal): Promise<number> {
  if (body instanceof Uint8Array) {
    await writeAll(handle, body);
    return body.byteLength;
  }
  let offset = 0;
  for await (const chunk of body as AsyncIterable<Uint8Array | string>) {
    throwIfAborted(signal);
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    await writeAll(handle, bytes, offset);
    offset += bytes.byteLength;
  }
  return offset;
}
