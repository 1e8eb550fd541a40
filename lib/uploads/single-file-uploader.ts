// A MultipartUploader that writes one session's recording straight into one file of the caller's
// choosing (`auditcast import`). FileUploader keeps Teleport's layout: a part file per part,
// reserved first by writing zeros, then all of them read back and joined into the recording. For
// a recording built from an input that is still there (an import can simply run again) that is
// three writes and a read of every byte: here each part is written once, in order, into a
// temporary file beside the recording, which completeUpload fsyncs and publishes with link(2)
// (never replacing a file) or, when told to replace, rename(2). A crash leaves at most that
// temporary file, never half a recording.
import { randomUUID } from 'node:crypto';
import type * as fs from 'node:fs/promises';
import { link, rename, rm } from 'node:fs/promises';
import * as path from 'node:path';
import type { Readable } from 'node:stream';
import { AuditcastError, badParameter, notFound, throwIfAborted } from '../errors.js';
import { createTempFile, fsError, openReadStream, readFile } from '../safe-fs.js';
import { writeAll, writeBody } from './write-body.js';
import { checkPartNumber, checkSessionId } from './ids.js';
import type { CallOptions, MultipartUploader, StreamPart, StreamUpload, UploadBody, UploadMetadata } from './multipart-uploader.js';

export interface SingleFileUploaderOptions {
  /** The recording to write (its directory must exist). */
  file: string;
  /** The one session this file holds. */
  sessionId: string;
  /** Replace a file already at `file` (default: ALREADY_EXISTS). */
  replace?: boolean;
}

interface WrittenPart {
  readonly number: number;
  readonly offset: number;
  readonly length: number;
  readonly lastModified: Date;
}

interface OpenUpload {
  readonly upload: StreamUpload;
  readonly temp: string;
  readonly handle: fs.FileHandle;
  readonly parts: WrittenPart[];
  /** Where the next part goes. */
  end: number;
}

export class SingleFileUploader implements MultipartUploader {
  readonly file: string;
  readonly sessionId: string;
  private readonly replace: boolean;
  private open: OpenUpload | null = null;

  constructor(options: SingleFileUploaderOptions) {
    this.file = path.resolve(options.file);
    checkSessionId(options.sessionId);
    this.sessionId = options.sessionId;
    this.replace = options.replace === true;
  }

  async createUpload(sessionId: string, options?: CallOptions): Promise<StreamUpload> {
    throwIfAborted(options?.signal);
    this.checkSession(sessionId);
    if (this.open) throw new AuditcastError('ALREADY_EXISTS', `${this.file}: an upload of session ${sessionId} is already being written`);
    const { path: temp, handle } = await this.tempFile();
    const upload: StreamUpload = { id: randomUUID(), sessionId, initiated: new Date() };
    this.open = { upload, temp, handle, parts: [], end: 0 };
    return upload;
  }

  /**
   * Nothing to claim: the part is written once, when uploaded. (FileUploader writes zeros here so
   * that a full disk fails before a live session's output is lost; an import's input stays.)
   */
  async reserveUploadPart(upload: StreamUpload, partNumber: number, options?: CallOptions): Promise<void> {
    throwIfAborted(options?.signal);
    this.openUpload(upload);
    checkPartNumber(partNumber);
  }

  /** Appends the part; the last part uploaded again (a retry) is written again in its place. */
  async uploadPart(upload: StreamUpload, partNumber: number, body: Uint8Array, options?: CallOptions): Promise<StreamPart> {
    throwIfAborted(options?.signal);
    const open = this.openUpload(upload);
    checkPartNumber(partNumber);
    if (!(body instanceof Uint8Array)) throw badParameter('uploadPart: body must be a Uint8Array');
    const last = open.parts.at(-1);
    if (last && partNumber < last.number) {
      throw badParameter(`${this.file}: part ${partNumber} uploaded after part ${last.number} (parts are appended in order)`);
    }
    const again = last?.number === partNumber;
    const offset = again ? last.offset : open.end;
    try {
      await writeAll(open.handle, body, offset);
    } catch (err) {
      throw fsError(err, `upload part ${partNumber} of ${this.file}`);
    }
    if (again) open.parts.pop();
    const part = { number: partNumber, offset, length: body.byteLength, lastModified: new Date() };
    open.parts.push(part);
    open.end = offset + body.byteLength;
    return { number: partNumber, lastModified: part.lastModified };
  }

  async listParts(upload: StreamUpload, options?: CallOptions): Promise<StreamPart[]> {
    throwIfAborted(options?.signal);
    return this.openUpload(upload).parts.map((p) => ({ number: p.number, lastModified: p.lastModified }));
  }

  async listUploads(options?: CallOptions): Promise<StreamUpload[]> {
    throwIfAborted(options?.signal);
    return this.open ? [this.open.upload] : [];
  }

  /** Publishes the file when `parts` are exactly the parts written (no parts: no file). */
  async completeUpload(upload: StreamUpload, parts: readonly StreamPart[], options?: CallOptions): Promise<void> {
    throwIfAborted(options?.signal);
    const open = this.openUpload(upload);
    const asked = [...new Set(parts.map((p) => checkPartNumber(p.number)))].sort((a, b) => a - b).join(',');
    const written = open.parts.map((p) => p.number).join(',');
    if (asked !== written) throw notFound(`${this.file}: complete upload ${upload.id} with parts [${asked}], but parts [${written}] were written`);
    if (open.parts.length === 0) return this.abortUpload(upload, options);
    try {
      await open.handle.truncate(open.end);
      await open.handle.sync();
      await open.handle.close();
    } catch (err) {
      await this.abortUpload(upload).catch(() => {});
      throw fsError(err, `complete ${this.file}`);
    }
    this.open = null;
    await this.publish(open.temp);
  }

  async abortUpload(upload: StreamUpload, options?: CallOptions): Promise<void> {
    throwIfAborted(options?.signal);
    const open = this.openUpload(upload);
    this.open = null;
    await open.handle.close().catch(() => {});
    await rm(open.temp, { force: true }).catch((err: unknown) => { throw fsError(err, `abort upload of ${this.file}`); });
  }

  getUploadMetadata(sessionId: string): UploadMetadata {
    this.checkSession(sessionId);
    return { url: `file://${this.file}`, sessionId };
  }

  async upload(sessionId: string, body: UploadBody, options?: CallOptions): Promise<string> {
    throwIfAborted(options?.signal);
    this.checkSession(sessionId);
    const { path: temp, handle } = await this.tempFile();
    try {
      await writeBody(handle, body, options?.signal);
      await handle.sync();
    } catch (err) {
      await handle.close().catch(() => {});
      await rm(temp, { force: true }).catch(() => {});
      throw err instanceof AuditcastError ? err : fsError(err, `upload ${this.file}`);
    }
    await handle.close();
    await this.publish(temp);
    return `file://${this.file}`;
  }

  async download(sessionId: string, options?: CallOptions): Promise<Buffer> {
    throwIfAborted(options?.signal);
    this.checkSession(sessionId);
    try {
      return await readFile(this.file);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw notFound(`recording ${sessionId} is not found`, err);
      throw fsError(err, `download ${this.file}`);
    }
  }

  async downloadStream(sessionId: string, options?: CallOptions): Promise<Readable> {
    throwIfAborted(options?.signal);
    this.checkSession(sessionId);
    try {
      return await openReadStream(this.file, { signal: options?.signal });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw notFound(`recording ${sessionId} is not found`, err);
      throw fsError(err, `download ${this.file}`);
    }
  }

  // ---- internals ----

  private checkSession(sessionId: string): void {
    checkSessionId(sessionId);
    if (sessionId !== this.sessionId) throw notFound(`${this.file} holds session ${this.sessionId}, not ${sessionId}`);
  }

  private openUpload(upload: StreamUpload): OpenUpload {
    if (upload === null || typeof upload !== 'object') throw badParameter('upload must be a StreamUpload');
    if (!this.open || this.open.upload.id !== upload.id) throw notFound(`upload ${String(upload.id)} of ${this.file} is not found`);
    return this.open;
  }

  private async tempFile(): Promise<{ path: string; handle: fs.FileHandle }> {
    try {
      return await createTempFile(path.dirname(this.file), path.basename(this.file));
    } catch (err) {
      throw fsError(err, `write ${this.file}`);
    }
  }

  /** Puts the finished temporary file in place: link(2) never replaces a file, rename(2) does. */
  private async publish(temp: string): Promise<void> {
    try {
      if (this.replace) {
        await rename(temp, this.file);
        return;
      }
      await link(temp, this.file);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EEXIST') {
        throw new AuditcastError('ALREADY_EXISTS', `${this.file} already exists (session ${this.sessionId})`, { cause: err });
      }
      throw fsError(err, `publish ${this.file}`);
    } finally {
      // After a rename there is nothing left to remove; after a link, or a failure, the temporary name goes.
      await rm(temp, { force: true }).catch(() => {});
    }
  }
}

