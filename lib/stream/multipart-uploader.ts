// The storage seam the stream writer uploads to, implemented in lib/uploads: the seed's
// MultipartHandler (MultipartUploader + whole-object upload/download). Recordings are uploaded in
// numbered parts and completed by concatenating the listed parts in ascending part number.
import type { Readable } from 'node:stream';
import type { CallOptions } from '../call-options.js';

export interface StreamUpload {
  /** Upload id (Teleport: a random UUID). */
  readonly id: string;
  readonly sessionId: string;
  readonly initiated: Date;
}

export interface StreamPart {
  readonly number: number;
  readonly etag?: string;
  readonly lastModified: Date;
}

export interface UploadMetadata {
  readonly url: string;
  readonly sessionId: string;
}

export type { CallOptions };

export type UploadBody = Uint8Array | Readable | AsyncIterable<Uint8Array>;

export interface MultipartUploader {
  createUpload(sessionId: string, options?: CallOptions): Promise<StreamUpload>;
  /** Claims a part number before upload (the file uploader preallocates space; may be a no-op). */
  reserveUploadPart(upload: StreamUpload, partNumber: number, options?: CallOptions): Promise<void>;
  uploadPart(upload: StreamUpload, partNumber: number, body: Uint8Array, options?: CallOptions): Promise<StreamPart>;
  /** Uploaded parts, ascending by number. */
  listParts(upload: StreamUpload, options?: CallOptions): Promise<StreamPart[]>;
  /** Uploads in progress, ascending by initiation time. */
  listUploads(options?: CallOptions): Promise<StreamUpload[]>;
  /** Joins the listed parts (sorted by number) into the session's recording. */
  completeUpload(upload: StreamUpload, parts: readonly StreamPart[], options?: CallOptions): Promise<void>;
  getUploadMetadata(sessionId: string): UploadMetadata;
  /** Stores a whole recording at once; returns its URL. */
  upload(sessionId: string, body: UploadBody, options?: CallOptions): Promise<string>;
  /** The whole recording; NOT_FOUND when there is none. */
  download(sessionId: string, options?: CallOptions): Promise<Buffer>;
  /** The recording as a stream, for reading large recordings in bounded memory. */
  downloadStream(sessionId: string, options?: CallOptions): Promise<Readable>;
}

/** MultipartHandler: in auditcast every MultipartUploader also uploads and downloads whole recordings. */
export type MultipartHandler = MultipartUploader;
/** UploadHandler: whole-recording upload and download. */
export type UploadHandler = Pick<MultipartUploader, 'upload' | 'download' | 'downloadStream'>;
/** UploadMetadataGetter: where a session's recording is (or will be) stored. */
export type UploadMetadataGetter = Pick<MultipartUploader, 'getUploadMetadata'>;

/** Collects an upload body into one buffer. */
export async function readBody(body: UploadBody): Promise<Buffer> {
  if (body instanceof Uint8Array) return Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  const chunks: Buffer[] = [];
  for await (const chunk of body as AsyncIterable<Uint8Array>) chunks.push(Buffer.from(chunk));
  return Buffer.concat(chunks);
}
