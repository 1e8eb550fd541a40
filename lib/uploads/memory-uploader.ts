// An in-memory MultipartUploader with the semantics of Teleport's eventstest.MemoryUploader: the
// reference backend for tests and for recording into a buffer.
import { checkOptions } from '../options.js';
import { randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import { AuditcastError, badParameter, notFound, throwIfAborted } from '../errors.js';
import {
  type CallOptions, type MultipartUploader, type StreamPart, type StreamUpload, type UploadBody,
  type UploadMetadata, readBody,
} from './multipart-uploader.js';

export interface UploadEvent {
  readonly sessionId: string;
  readonly uploadId: string;
  readonly error?: Error;
  readonly created?: Date;
}

export interface MemoryUploaderOptions {
  /** Called when an upload completes (the seed's events channel). */
  onUploadEvent?: (event: UploadEvent) => void;
  /** Time source for Initiated/LastModified (tests use a fake clock). */
  now?: () => Date;
}

interface MemoryUpload {
  readonly upload: StreamUpload;
  readonly parts: Map<number, { body: Buffer; lastModified: Date }>;
  /** The part numbers it was completed with (kept for getParts and retried completions), or null. */
  completedWith: string | null;
}

export class MemoryUploader implements MultipartUploader {
  private readonly uploads = new Map<string, MemoryUpload>();
  private readonly objects = new Map<string, Buffer>();
  private readonly stale = new Map<string, Buffer>();
  private readonly now: () => Date;
  private readonly onUploadEvent?: (event: UploadEvent) => void;

  constructor(options: MemoryUploaderOptions = {}) {
    checkOptions<MemoryUploaderOptions>('MemoryUploader', options, { onUploadEvent: { kind: 'function' }, now: { kind: 'function' } });
    this.now = options.now ?? (() => new Date());
    this.onUploadEvent = options.onUploadEvent;
  }

  async createUpload(sessionId: string, options?: CallOptions): Promise<StreamUpload> {
    throwIfAborted(options?.signal);
    if (!sessionId) throw badParameter('missing session id');
    const upload: StreamUpload = { id: randomUUID(), sessionId, initiated: this.now() };
    this.uploads.set(upload.id, { upload, parts: new Map(), completedWith: null });
    return upload;
  }

  async reserveUploadPart(upload: StreamUpload, _partNumber: number, options?: CallOptions): Promise<void> {
    throwIfAborted(options?.signal);
    this.get(upload);
  }

  async uploadPart(upload: StreamUpload, partNumber: number, body: Uint8Array, options?: CallOptions): Promise<StreamPart> {
    throwIfAborted(options?.signal);
    const entry = this.get(upload);
    const lastModified = this.now();
    entry.parts.set(partNumber, { body: Buffer.from(body), lastModified });
    return { number: partNumber, lastModified };
  }

  async listParts(upload: StreamUpload, options?: CallOptions): Promise<StreamPart[]> {
    throwIfAborted(options?.signal);
    const entry = this.get(upload);
    return [...entry.parts.entries()]
      .sort(([a], [b]) => a - b)
      .map(([number, part]) => ({ number, lastModified: part.lastModified }));
  }

  async listUploads(options?: CallOptions): Promise<StreamUpload[]> {
    throwIfAborted(options?.signal);
    return [...this.uploads.values()]
      .filter((entry) => entry.completedWith === null) // completed uploads are gone, as on S3
      .map((entry) => entry.upload)
      .sort((a, b) => a.initiated.getTime() - b.initiated.getTime());
  }

  /**
   * Joins the listed parts into the session's object; the upload is then gone from listUploads. A
   * session that has an object already keeps it: the upload is kept beside it (staleRecording) and
   * ALREADY_EXISTS says so. Completing again with the same parts (a lost reply) succeeds.
   */
  async completeUpload(upload: StreamUpload, parts: readonly StreamPart[], options?: CallOptions): Promise<void> {
    throwIfAborted(options?.signal);
    const numbers = [...new Set(parts.map((part) => part.number))].sort((a, b) => a - b);
    const entry = this.uploads.get(upload.id);
    if (!entry) throw notFound(`upload ${upload.id} is not found`);
    if (entry.completedWith !== null) {
      if (entry.completedWith === numbers.join(',')) return;
      throw new AuditcastError('BAD_PARAMETER', `upload ${upload.id} was already completed with parts ${entry.completedWith || '(none)'}`);
    }
    if (numbers.length === 0) {
      // Nothing was uploaded: drop the upload and create no object (an empty stream leaves none).
      this.uploads.delete(upload.id);
      return;
    }
    const bodies: Buffer[] = [];
    for (const number of numbers) {
      const stored = entry.parts.get(number);
      if (!stored) throw notFound(`part ${number} of upload ${upload.id} was never uploaded`);
      bodies.push(stored.body);
    }
    for (const number of [...entry.parts.keys()]) if (!numbers.includes(number)) entry.parts.delete(number);
    entry.completedWith = numbers.join(',');
    if (this.objects.has(upload.sessionId)) {
      this.stale.set(upload.id, Buffer.concat(bodies));
      throw new AuditcastError('ALREADY_EXISTS', `recording ${upload.sessionId} already exists and was not replaced; upload ${upload.id} was kept beside it`);
    }
    this.objects.set(upload.sessionId, Buffer.concat(bodies));
    this.onUploadEvent?.({ sessionId: upload.sessionId, uploadId: upload.id, created: this.now() });
  }

  /** An upload completed after its session already had a recording, kept beside it. */
  staleRecording(uploadId: string): Buffer | undefined {
    return this.stale.get(uploadId);
  }

  getUploadMetadata(sessionId: string): UploadMetadata {
    return { url: `memory://${sessionId}`, sessionId };
  }

  async upload(sessionId: string, body: UploadBody, options?: CallOptions): Promise<string> {
    throwIfAborted(options?.signal);
    if (this.objects.has(sessionId)) throw new AuditcastError('ALREADY_EXISTS', `recording ${sessionId} already exists`);
    this.objects.set(sessionId, await readBody(body));
    return this.getUploadMetadata(sessionId).url;
  }

  async download(sessionId: string, options?: CallOptions): Promise<Buffer> {
    throwIfAborted(options?.signal);
    const object = this.objects.get(sessionId);
    if (!object) throw notFound(`recording ${sessionId} is not found`);
    return object;
  }

  async downloadStream(sessionId: string, options?: CallOptions): Promise<Readable> {
    return Readable.from([await this.download(sessionId, options)]);
  }

  /** Test helper: the uploaded part bodies of an upload, ascending by part number. */
  /** Test helper: the part numbers of an upload (completed or not), ascending. */
  getPartNumbers(uploadId: string): number[] {
    const entry = this.uploads.get(uploadId);
    if (!entry) throw notFound(`upload ${uploadId} is not found`);
    return [...entry.parts.keys()].sort((a, b) => a - b);
  }

  getParts(uploadId: string): Buffer[] {
    const entry = this.uploads.get(uploadId);
    if (!entry) throw notFound(`upload ${uploadId} is not found`);
    return [...entry.parts.entries()].sort(([a], [b]) => a - b).map(([, part]) => part.body);
  }

  /** An upload in progress (a completed one is NOT_FOUND, as on S3). */
  private get(upload: StreamUpload): MemoryUpload {
    const entry = this.uploads.get(upload.id);
    if (!entry || entry.completedWith !== null) throw notFound(`upload ${upload.id} is not found`);
    return entry;
  }
}
