// A MultipartUploader over S3 (or any S3-compatible store) with Teleport's s3sessions layout: the
// recording of session <sid> is the object `<prefix>/<sid>.tar`, built by an S3 multipart upload
// whose parts are the stream's parts. Ids are checked (ids.ts) before they touch a key.
//
// The AWS SDK is loaded on first use, not at import: it costs ~120 ms to load, which every CLI run
// and every user of the package root would otherwise pay, S3 or not.
import type { ObjectCannedACL, S3Client, S3ClientConfig, ServerSideEncryption } from '@aws-sdk/client-s3';
import { Readable } from 'node:stream';
import { AuditcastError, badParameter, throwIfAborted } from '../errors.js';
import { checkPartNumber, checkSessionId, isUuid } from './ids.js';
import {
  type CallOptions, type MultipartUploader, type StreamPart, type StreamUpload, type UploadBody,
  type UploadMetadata,
} from './multipart-uploader.js';
import { checkOptions, type OptionsSchema } from '../options.js';

type CommandName =
  | 'AbortMultipartUploadCommand' | 'CompleteMultipartUploadCommand' | 'CreateMultipartUploadCommand'
  | 'GetObjectCommand' | 'HeadObjectCommand' | 'ListMultipartUploadsCommand' | 'ListPartsCommand'
  | 'PutObjectCommand' | 'UploadPartCommand' | 'ListObjectsV2Command';
type Sdk_ = typeof import('@aws-sdk/client-s3');
type CommandInput<K extends CommandName> = ConstructorParameters<Sdk_[K]>[0];
type CommandOutput<K extends CommandName> = Awaited<ReturnType<InstanceType<Sdk_[K]>['resolveMiddleware']>> extends (...a: never[]) => Promise<{ output: infer O }> ? O : never;

/** S3's own limit on part numbers. */
export const S3_MAX_PART_NUMBER = 10_000;

/** The canned ACLs S3 accepts (Teleport: s3.ObjectCannedACL_Values); '' means none. */
export const CANNED_ACLS: readonly string[] = [
  'private', 'public-read', 'public-read-write', 'authenticated-read', 'aws-exec-read',
  'bucket-owner-read', 'bucket-owner-full-control',
];

export const SSE_ALGORITHMS: readonly string[] = ['AES256', 'aws:kms', 'aws:kms:dsse', 'aws:fsx', 'aws:backup'];

export interface S3UploaderOptions {
  bucket: string;
  region?: string;
  /** Custom endpoint (MinIO, a test server...). */
  endpoint?: string;
  /** Key prefix ("path" in Teleport's s3:// URL); leading and trailing slashes are ignored. */
  prefix?: string;
  forcePathStyle?: boolean;
  credentials?: S3ClientConfig['credentials'];
  /** Server-side encryption for new objects; none unless set. */
  sse?: string;
  sseKmsKeyId?: string;
  /** A canned ACL for new objects ('' = none). Anything else is BAD_PARAMETER. */
  acl?: string;
  /** Use the FIPS endpoints (Teleport does in FIPS builds); cannot be combined with `endpoint`. */
  useFipsEndpoint?: boolean;
  /** A ready client (its own config wins; the options above that configure a client are then ignored). */
  client?: S3Client;
  /** Extra S3Client config merged over ours (checksums, retries, request handler...). */
  clientConfig?: S3ClientConfig;
  /** Part size when upload() is given a stream (default 5 MiB, S3's minimum part size). */
  uploadPartBytes?: number;
  /** How long connecting may take before the request fails (default 10 s). */
  connectTimeoutMs?: number;
  /**
   * How long a request may go without a byte sent or received before it fails (default 30 s): an
   * endpoint that accepts and never answers is a CONNECTION_PROBLEM, retried like any other,
   * while a large part on a slow link is not cut short.
   */
  requestTimeoutMs?: number;
}

/** A recording object in the bucket. */
export interface StoredObject {
  sessionId: string;
  bytes: number;
  lastModifiedMs: number;
  etag: string;
}

export const DEFAULT_S3_CONNECT_TIMEOUT_MS = 10_000;
export const DEFAULT_S3_REQUEST_TIMEOUT_MS = 30_000;

const OPTIONS: OptionsSchema<S3UploaderOptions> = {
  bucket: { kind: 'string', nonEmpty: true, required: true },
  region: { kind: 'string' },
  endpoint: { kind: 'string', nonEmpty: true },
  prefix: { kind: 'string' },
  forcePathStyle: { kind: 'boolean' },
  credentials: { kind: 'any' }, // an object or a provider function: the SDK checks it
  sse: { kind: 'string', oneOf: ['', ...SSE_ALGORITHMS] },
  sseKmsKeyId: { kind: 'string', nonEmpty: true },
  acl: { kind: 'string', oneOf: ['', ...CANNED_ACLS] },
  useFipsEndpoint: { kind: 'boolean' },
  client: { kind: 'object', methods: ['send'] },
  clientConfig: { kind: 'object' },
  uploadPartBytes: { kind: 'integer', min: 1 },
  connectTimeoutMs: { kind: 'integer', min: 1 },
  requestTimeoutMs: { kind: 'integer', min: 1 },
};

const NOT_FOUND_NAMES = new Set(['NoSuchKey', 'NotFound', 'NoSuchUpload', 'NoSuchBucket']);
const ACCESS_NAMES = new Set(['AccessDenied', 'Forbidden', 'InvalidAccessKeyId', 'SignatureDoesNotMatch']);
const NETWORK_CODES = new Set([
  'ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH',
  'TimeoutError', 'RequestTimeout', 'ERR_SOCKET_CONNECTION_TIMEOUT',
]);

/** Maps an S3 SDK error to the library's error codes. */
export function s3Error(err: unknown, what: string): AuditcastError {
  if (err instanceof AuditcastError) return err;
  const e = err as { name?: string; code?: string; message?: string; $metadata?: { httpStatusCode?: number } };
  const name = e?.name ?? '';
  const status = e?.$metadata?.httpStatusCode;
  const detail = `${name || 'Error'}: ${e?.message ?? String(err)}`;
  const make = (code: AuditcastError['code']) => new AuditcastError(code, `${what}: ${detail}`, { cause: err });
  if (name === 'AbortError') return make('CANCELED');
  if (NOT_FOUND_NAMES.has(name) || status === 404) return make('NOT_FOUND');
  if (ACCESS_NAMES.has(name) || status === 403) return make('ACCESS_DENIED');
  if (name === 'PreconditionFailed' || status === 412) return make('ALREADY_EXISTS');
  if (NETWORK_CODES.has(name) || NETWORK_CODES.has(e?.code ?? '')) return make('CONNECTION_PROBLEM');
  if (status !== undefined && status >= 400 && status < 500) return make('BAD_PARAMETER');
  // 5xx, throttling and anything without an HTTP answer: the network or the service, retryable.
  return make('CONNECTION_PROBLEM');
}

type Sdk = typeof import('@aws-sdk/client-s3');
let sdkPromise: Promise<Sdk> | undefined;
/** The AWS SDK, imported once on first use. */
export function loadS3Sdk(): Promise<Sdk> {
  sdkPromise ??= import('@aws-sdk/client-s3');
  return sdkPromise;
}

function isNoSuchUpload(err: unknown): boolean {
  return (err as { name?: string } | undefined)?.name === 'NoSuchUpload';
}

export class S3Uploader implements MultipartUploader {
  readonly bucket: string;
  readonly prefix: string;
  private clientPromise?: Promise<S3Client>;
  private readonly clientConfig: S3ClientConfig;
  private readonly uploadPartBytes: number;
  private readonly sse?: ServerSideEncryption;
  private readonly sseKmsKeyId?: string;
  private readonly acl?: ObjectCannedACL;

  constructor(options: S3UploaderOptions) {
    checkOptions<S3UploaderOptions>('S3Uploader', options, OPTIONS);
    this.bucket = options.bucket;
    this.uploadPartBytes = options.uploadPartBytes ?? 5 * 1024 * 1024;
    this.prefix = normalizePrefix(options.prefix ?? '');
    this.acl = options.acl ? (options.acl as ObjectCannedACL) : undefined;
    this.sse = options.sse ? (options.sse as ServerSideEncryption) : undefined;
    if (options.sseKmsKeyId !== undefined) {
      if (this.sse !== 'aws:kms' && this.sse !== 'aws:kms:dsse') throw badParameter('S3Uploader: sseKmsKeyId needs sse "aws:kms" or "aws:kms:dsse"');
      this.sseKmsKeyId = options.sseKmsKeyId;
    }
    if (options.useFipsEndpoint && options.endpoint) {
      throw badParameter('S3Uploader: useFipsEndpoint cannot be combined with a custom endpoint');
    }
    if (options.client !== undefined) this.clientPromise = Promise.resolve(options.client);
    const connectTimeoutMs = options.connectTimeoutMs ?? DEFAULT_S3_CONNECT_TIMEOUT_MS;
    const requestTimeoutMs = options.requestTimeoutMs ?? DEFAULT_S3_REQUEST_TIMEOUT_MS;
    this.clientConfig = {
      // Options of the SDK's NodeHttpHandler: socketTimeout is the idle limit (see requestTimeoutMs).
      requestHandler: { connectionTimeout: connectTimeoutMs, socketTimeout: requestTimeoutMs },
      region: options.region ?? 'us-east-1',
      ...(options.endpoint !== undefined ? { endpoint: options.endpoint } : {}),
      ...(options.forcePathStyle !== undefined ? { forcePathStyle: options.forcePathStyle } : {}),
      ...(options.credentials !== undefined ? { credentials: options.credentials } : {}),
      ...(options.useFipsEndpoint !== undefined ? { useFipsEndpoint: options.useFipsEndpoint } : {}),
      ...options.clientConfig,
    };
  }

  /** The S3 client (built, with the SDK loaded, on first use). */
  getClient(): Promise<S3Client> {
    this.clientPromise ??= loadS3Sdk().then((sdk) => new sdk.S3Client(this.clientConfig));
    return this.clientPromise;
  }

  /** Sends one SDK command, built from the lazily loaded SDK. */
  private async send<K extends CommandName>(name: K, input: CommandInput<K>, options?: CallOptions): Promise<CommandOutput<K>> {
    const [sdk, client] = await Promise.all([loadS3Sdk(), this.getClient()]);
    const Command = sdk[name] as unknown as new (input: CommandInput<K>) => Parameters<S3Client['send']>[0];
    return client.send(new Command(input), { abortSignal: options?.signal }) as Promise<CommandOutput<K>>;
  }

  /** The object key of a session's recording: `<prefix>/<sid>.tar` (Teleport's s3sessions path). */
  key(sessionId: string): string {
    return `${this.prefix ? `${this.prefix}/` : ''}${sessionId}.tar`;
  }

  async createUpload(sessionId: string, options?: CallOptions): Promise<StreamUpload> {
    throwIfAborted(options?.signal);
    checkSessionId(sessionId);
    try {
      const out = await this.send('CreateMultipartUploadCommand', {
        Bucket: this.bucket,
        Key: this.key(sessionId),
        ...this.objectSettings(),
      }, options);
      if (!out.UploadId) throw new AuditcastError('CONNECTION_PROBLEM', 'CreateMultipartUpload returned no upload id');
      return { id: out.UploadId, sessionId, initiated: new Date() };
    } catch (err) {
      throw s3Error(err, `create upload for session ${sessionId}`);
    }
  }

  async reserveUploadPart(upload: StreamUpload, partNumber: number, options?: CallOptions): Promise<void> {
    throwIfAborted(options?.signal);
    this.checkUpload(upload);
    checkPartNumber(partNumber, 1, S3_MAX_PART_NUMBER);
  }

  async uploadPart(upload: StreamUpload, partNumber: number, body: Uint8Array, options?: CallOptions): Promise<StreamPart> {
    throwIfAborted(options?.signal);
    this.checkUpload(upload);
    checkPartNumber(partNumber, 1, S3_MAX_PART_NUMBER);
    if (!(body instanceof Uint8Array)) throw badParameter('uploadPart: body must be a Uint8Array');
    try {
      const out = await this.send('UploadPartCommand', {
        Bucket: this.bucket,
        Key: this.key(upload.sessionId),
        UploadId: upload.id,
        PartNumber: partNumber,
        Body: body,
        ContentLength: body.byteLength,
      }, options);
      return { number: partNumber, etag: out.ETag, lastModified: new Date() };
    } catch (err) {
      throw s3Error(err, `upload part ${partNumber} of upload ${upload.id}`);
    }
  }

  async listParts(upload: StreamUpload, options?: CallOptions): Promise<StreamPart[]> {
    throwIfAborted(options?.signal);
    this.checkUpload(upload);
    const parts: StreamPart[] = [];
    let marker: string | undefined;
    try {
      for (;;) {
        const out = await this.send('ListPartsCommand', {
          Bucket: this.bucket,
          Key: this.key(upload.sessionId),
          UploadId: upload.id,
          ...(marker !== undefined ? { PartNumberMarker: marker } : {}),
        }, options);
        for (const part of out.Parts ?? []) {
          if (part.PartNumber === undefined) continue;
          parts.push({ number: part.PartNumber, etag: part.ETag, lastModified: part.LastModified ?? new Date(0) });
        }
        if (!out.IsTruncated || !out.NextPartNumberMarker) break;
        marker = out.NextPartNumberMarker;
      }
    } catch (err) {
      throw s3Error(err, `list parts of upload ${upload.id}`);
    }
    return parts.sort((a, b) => a.number - b.number);
  }

  async listUploads(options?: CallOptions): Promise<StreamUpload[]> {
    throwIfAborted(options?.signal);
    const uploads: StreamUpload[] = [];
    const prefix = this.prefix ? `${this.prefix}/` : '';
    let keyMarker: string | undefined;
    let uploadIdMarker: string | undefined;
    try {
      for (;;) {
        const out = await this.send('ListMultipartUploadsCommand', {
          Bucket: this.bucket,
          Prefix: prefix,
          ...(keyMarker !== undefined ? { KeyMarker: keyMarker } : {}),
          ...(uploadIdMarker !== undefined ? { UploadIdMarker: uploadIdMarker } : {}),
        }, options);
        for (const entry of out.Uploads ?? []) {
          const sessionId = this.sessionIdOfKey(entry.Key);
          // Other objects under the prefix (nested paths, foreign names) are not recordings.
          if (sessionId === undefined || !entry.UploadId) continue;
          uploads.push({ id: entry.UploadId, sessionId, initiated: entry.Initiated ?? new Date(0) });
        }
        if (!out.IsTruncated) break;
        keyMarker = out.NextKeyMarker;
        uploadIdMarker = out.NextUploadIdMarker;
        if (!keyMarker && !uploadIdMarker) break;
      }
    } catch (err) {
      throw s3Error(err, 'list uploads');
    }
    return uploads.sort((a, b) => a.initiated.getTime() - b.initiated.getTime());
  }

  async completeUpload(upload: StreamUpload, parts: readonly StreamPart[], options?: CallOptions): Promise<void> {
    throwIfAborted(options?.signal);
    this.checkUpload(upload);
    const sorted = [...parts].sort((a, b) => a.number - b.number);
    for (const part of sorted) checkPartNumber(part.number, 1, S3_MAX_PART_NUMBER);
    if (sorted.length === 0) {
      // S3 refuses an empty completion; an empty stream leaves no object, so drop the upload.
      await this.abortUpload(upload, options);
      return;
    }
    const key = this.key(upload.sessionId);
    // A recording that exists is never replaced. S3 cannot complete an upload under another key,
    // so a later upload of the session stays an upload (kept beside it) and ALREADY_EXISTS says so.
    // An upload that is gone and whose object exists was completed before (a retry after a lost
    // answer): that is success when the object has as many parts as we list (a multipart ETag
    // ends in -<part count>).
    const etag = await this.objectETag(key, options);
    if (etag !== null) {
      const open = await this.listParts(upload, options).then(() => true, (err: unknown) => {
        if (err instanceof AuditcastError && err.code === 'NOT_FOUND') return false;
        throw err;
      });
      if (open) {
        throw new AuditcastError('ALREADY_EXISTS', `recording ${upload.sessionId} already exists and was not replaced; upload ${upload.id} was left open beside it`);
      }
      const count = /-(\d+)"?$/.exec(etag)?.[1];
      if (count !== undefined && Number(count) !== sorted.length) {
        throw new AuditcastError('ALREADY_EXISTS', `upload ${upload.id} is gone and recording ${upload.sessionId} has ${count} parts, not the ${sorted.length} listed`);
      }
      await this.abortUpload(upload, options).catch(() => {});
      return;
    }
    try {
      await this.send('CompleteMultipartUploadCommand', {
        Bucket: this.bucket,
        Key: key,
        UploadId: upload.id,
        MultipartUpload: { Parts: sorted.map((part) => ({ PartNumber: part.number, ETag: part.etag })) },
      }, options);
    } catch (err) {
      if (!isNoSuchUpload(err)) throw s3Error(err, `complete upload ${upload.id}`);
      // The upload is gone and there was no object a moment ago: another completer may have just
      // finished it. Completing is done when the object is there now.
      if (!(await this.objectExists(key, options))) throw s3Error(err, `complete upload ${upload.id}`);
    }
  }

  /** Drops an upload and its parts; NoSuchUpload (already gone) is success. */
  async abortUpload(upload: StreamUpload, options?: CallOptions): Promise<void> {
    throwIfAborted(options?.signal);
    this.checkUpload(upload);
    try {
      await this.send('AbortMultipartUploadCommand', {
        Bucket: this.bucket,
        Key: this.key(upload.sessionId),
        UploadId: upload.id,
      }, options);
    } catch (err) {
      if (isNoSuchUpload(err)) return;
      throw s3Error(err, `abort upload ${upload.id}`);
    }
  }

  getUploadMetadata(sessionId: string): UploadMetadata {
    checkSessionId(sessionId);
    return { url: `s3://${this.bucket}/${this.prefix ? `${this.prefix}/` : ''}${sessionId}`, sessionId };
  }

  async upload(sessionId: string, body: UploadBody, options?: CallOptions): Promise<string> {
    throwIfAborted(options?.signal);
    checkSessionId(sessionId);
    const key = this.key(sessionId);
    // Same contract as the other uploaders: an existing recording is never overwritten. The
    // conditional put covers stores that support it, the HEAD the ones that ignore it.
    if (await this.objectExists(key, options)) throw new AuditcastError('ALREADY_EXISTS', `recording ${sessionId} already exists`);
    if (body instanceof Uint8Array) {
      await this.putWhole(sessionId, key, body, options);
      return `s3://${this.bucket}/${key}`;
    }
    // A stream is sent in parts of uploadPartBytes, so memory stays bounded by one part; a stream
    // shorter than one part is a single PUT.
    let upload: StreamUpload | null = null;
    const parts: StreamPart[] = [];
    let pending: Buffer[] = [];
    let pendingBytes = 0;
    const flushPart = async () => {
      upload ??= await this.createUpload(sessionId, options);
      const part = Buffer.concat(pending);
      pending = [];
      pendingBytes = 0;
      parts.push(await this.uploadPart(upload, parts.length + 1, part, options));
    };
    try {
      for await (const chunk of body as AsyncIterable<Uint8Array | string>) {
        throwIfAborted(options?.signal);
        const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
        pending.push(bytes);
        pendingBytes += bytes.byteLength;
        if (pendingBytes >= this.uploadPartBytes) await flushPart();
      }
      if (!upload) {
        await this.putWhole(sessionId, key, Buffer.concat(pending), options);
      } else {
        if (pendingBytes > 0) await flushPart();
        await this.completeUpload(upload, parts, options);
      }
    } catch (err) {
      if (upload) await this.abortUpload(upload).catch(() => {});
      throw s3Error(err, `upload recording ${sessionId}`);
    }
    return `s3://${this.bucket}/${key}`;
  }

  private async putWhole(sessionId: string, key: string, bytes: Uint8Array, options?: CallOptions): Promise<void> {
    const put = (conditional: boolean) => this.send('PutObjectCommand', {
      Bucket: this.bucket,
      Key: key,
      Body: bytes,
      ContentLength: bytes.byteLength,
      ...(conditional ? { IfNoneMatch: '*' } : {}),
      ...this.objectSettings(),
    }, options);
    try {
      try {
        await put(true);
      } catch (err) {
        // Stores without conditional writes answer 501 NotImplemented: the HEAD before has to do.
        const e = err as { name?: string; $metadata?: { httpStatusCode?: number } };
        if (e?.name !== 'NotImplemented' && e?.$metadata?.httpStatusCode !== 501) throw err;
        await put(false);
      }
    } catch (err) {
      throw s3Error(err, `upload recording ${sessionId}`);
    }
  }

  async download(sessionId: string, options?: CallOptions): Promise<Buffer> {
    const stream = await this.downloadStream(sessionId, options);
    const chunks: Buffer[] = [];
    try {
      for await (const chunk of stream) chunks.push(Buffer.from(chunk as Uint8Array));
    } catch (err) {
      throw s3Error(err, `download recording ${sessionId}`);
    }
    return Buffer.concat(chunks);
  }

  /**
   * The recording's bytes, or with `range` those from `start` up to `end` (exclusive; default the
   * end) of the version whose ETag is `ifMatch` (a changed object fails: ALREADY_EXISTS, as S3's
   * PreconditionFailed maps). The caller checks how many bytes came.
   */
  async downloadStream(sessionId: string, options?: CallOptions, range?: { start: number; end?: number; ifMatch?: string }): Promise<Readable> {
    throwIfAborted(options?.signal);
    checkSessionId(sessionId);
    if (range && !(Number.isSafeInteger(range.start) && range.start >= 0 && (range.end === undefined || (Number.isSafeInteger(range.end) && range.end > range.start)))) {
      throw badParameter(`download recording ${sessionId}: bad byte range ${range.start}-${range.end ?? ''}`);
    }
    const ranged = range ? { Range: `bytes=${range.start}-${range.end === undefined ? '' : range.end - 1}`, ...(range.ifMatch ? { IfMatch: range.ifMatch } : {}) } : {};
    try {
      const out = await this.send('GetObjectCommand', { Bucket: this.bucket, Key: this.key(sessionId), ...ranged }, options);
      const body = out.Body;
      if (body instanceof Readable) return body;
      if (body && typeof (body as { transformToByteArray?: unknown }).transformToByteArray === 'function') {
        return Readable.from([Buffer.from(await (body as { transformToByteArray(): Promise<Uint8Array> }).transformToByteArray())]);
      }
      return Readable.from([]);
    } catch (err) {
      const mapped = s3Error(err, `download recording ${sessionId}`);
      if (mapped.code === 'NOT_FOUND') throw new AuditcastError('NOT_FOUND', `recording ${sessionId} is not found`, { cause: err });
      throw mapped;
    }
  }

  /** The complete recordings stored under the prefix (`<prefix>/<sid>.tar`), page by page from S3. */
  async listRecordings(options?: CallOptions): Promise<StoredObject[]> {
    const found: StoredObject[] = [];
    const prefix = this.prefix ? `${this.prefix}/` : '';
    let token: string | undefined;
    do {
      throwIfAborted(options?.signal);
      let out: CommandOutput<'ListObjectsV2Command'>;
      try {
        out = await this.send('ListObjectsV2Command', { Bucket: this.bucket, Prefix: prefix, Delimiter: '/', ContinuationToken: token }, options);
      } catch (err) {
        throw s3Error(err, `list recordings in s3://${this.bucket}/${prefix}`);
      }
      for (const item of out.Contents ?? []) {
        const name = item.Key?.slice(prefix.length) ?? '';
        if (!name.endsWith('.tar')) continue;
        const sessionId = name.slice(0, -4);
        if (!isUuid(sessionId)) continue;
        found.push({ sessionId, bytes: item.Size ?? 0, lastModifiedMs: item.LastModified?.getTime() ?? 0, etag: item.ETag ?? '' });
      }
      token = out.IsTruncated ? out.NextContinuationToken : undefined;
    } while (token);
    return found;
  }

  /** One session's recording object (size, time, ETag), or null when there is none. */
  async statRecording(sessionId: string, options?: CallOptions): Promise<StoredObject | null> {
    checkSessionId(sessionId);
    try {
      const out = await this.send('HeadObjectCommand', { Bucket: this.bucket, Key: this.key(sessionId) }, options);
      return { sessionId, bytes: out.ContentLength ?? 0, lastModifiedMs: out.LastModified?.getTime() ?? 0, etag: out.ETag ?? '' };
    } catch (err) {
      const mapped = s3Error(err, `head recording ${sessionId}`);
      if (mapped.code === 'NOT_FOUND') return null;
      throw mapped;
    }
  }

  // ---- internals ----

  private objectSettings(): { ServerSideEncryption?: ServerSideEncryption; SSEKMSKeyId?: string; ACL?: ObjectCannedACL } {
    return {
      ...(this.sse ? { ServerSideEncryption: this.sse } : {}),
      ...(this.sseKmsKeyId ? { SSEKMSKeyId: this.sseKmsKeyId } : {}),
      ...(this.acl ? { ACL: this.acl } : {}),
    };
  }

  private async objectExists(key: string, options?: CallOptions): Promise<boolean> {
    return (await this.objectETag(key, options)) !== null;
  }

  /** The object's ETag ('' when the store sends none), or null when there is no object. */
  private async objectETag(key: string, options?: CallOptions): Promise<string | null> {
    try {
      const out = await this.send('HeadObjectCommand', { Bucket: this.bucket, Key: key }, options);
      return out.ETag ?? '';
    } catch (err) {
      const mapped = s3Error(err, `head ${key}`);
      if (mapped.code === 'NOT_FOUND') return null;
      throw mapped;
    }
  }

  /** `<prefix>/<uuid>.tar` → the uuid; anything else → undefined. */
  private sessionIdOfKey(key: string | undefined): string | undefined {
    if (!key) return undefined;
    const head = this.prefix ? `${this.prefix}/` : '';
    if (!key.startsWith(head) || !key.endsWith('.tar')) return undefined;
    const stem = key.slice(head.length, -'.tar'.length);
    try {
      return checkSessionId(stem);
    } catch {
      return undefined;
    }
  }

  private checkUpload(upload: StreamUpload): void {
    if (upload === null || typeof upload !== 'object') throw badParameter('upload must be a StreamUpload');
    // S3 upload ids are opaque service tokens, not UUIDs: check they are sane, not their form.
    if (typeof upload.id !== 'string' || upload.id === '' || upload.id.length > 1024 || /[\0\r\n]/.test(upload.id)) {
      throw badParameter(`upload id must be a non-empty S3 upload id, got ${JSON.stringify(String(upload.id).slice(0, 64))}`);
    }
    checkSessionId(upload.sessionId);
  }
}

/** Strips slashes around the prefix and rejects segments that are empty, '.', '..' or hold NUL. */
export function normalizePrefix(prefix: string): string {
  if (typeof prefix !== 'string') throw badParameter('S3Uploader: prefix must be a string');
  const trimmed = prefix.replace(/^\/+|\/+$/g, '');
  if (trimmed === '') return '';
  for (const segment of trimmed.split('/')) {
    if (segment === '' || segment === '.' || segment === '..' || segment.includes('\0')) {
      throw badParameter(`S3Uploader: prefix ${JSON.stringify(prefix)} has an empty, '.', '..' or NUL segment`);
    }
  }
  return trimmed;
}
