// Teleport recordings in S3 (`<prefix>/<sid>.tar`) read where they are, with ranged GETs: listing
// asks S3 for names and sizes only, and a reader gets the byte ranges it asks for (a part header,
// a step of a part), read ahead in a window that grows while reading goes forward. Nothing is
// copied to disk. The recordings are named `s3://<bucket>/<prefix>/<sid>.tar` and mounted (see
// lib/stream/recording-file.ts), so the readers, the index and the console open them by name as
// they open files. Every read is of the version listed (If-Match on its ETag) and must bring the
// bytes its size promises: a changed or truncated object fails with where, never plays garbage.
import { AuditcastError, badParameter, notFound } from '../errors.js';
import { mountRecordings, type RecordingHandle, type RecordingMount, type RecordingStat } from '../stream/recording-file.js';
import type { CallOptions } from './multipart-uploader.js';
import { checkSessionId, isUuid } from './ids.js';
import { S3Uploader, type S3UploaderOptions, type StoredObject, s3Error } from './s3-uploader.js';
import { s3OptionsFromUrl } from './s3-url.js';

/** How long a listing or HEAD of an object answers `stat` before S3 is asked again. */
const STAT_TTL_MS = 10_000;
const MAX_KNOWN = 65_536;
/** The first read of a handle fetches this much; reading on doubles it, up to MAX_READ_AHEAD. */
const MIN_READ_AHEAD = 64 * 1024;
const MAX_READ_AHEAD = 2 * 1024 * 1024;

export class S3RecordingSource implements RecordingMount {
  readonly uploader: S3Uploader;
  /** Every recording's name starts with this: `s3://<bucket>/<prefix>/`. */
  readonly namePrefix: string;
  private readonly known = new Map<string, { object: StoredObject; at: number }>();

  /**
   * `source` is an s3:// URL as Teleport's audit_sessions_uri writes it (?region=, ?endpoint=...;
   * a custom endpoint is addressed path-style, as MinIO and test servers want) or uploader options.
   * The names are mounted process-wide: a later source of the same bucket and prefix takes them over.
   */
  constructor(source: string | S3UploaderOptions) {
    const options = typeof source === 'string' ? s3OptionsFromUrl(source) : source;
    if (typeof source === 'string' && options.endpoint !== undefined) options.forcePathStyle ??= true;
    this.uploader = new S3Uploader(options);
    this.namePrefix = `s3://${this.uploader.bucket}/${this.uploader.prefix ? `${this.uploader.prefix}/` : ''}`;
    mountRecordings(this.namePrefix, this);
  }

  /** The name readers open the session's recording by. */
  nameOf(sessionId: string): string {
    return `${this.namePrefix}${checkSessionId(sessionId)}.tar`;
  }

  /** The recordings in the bucket: names, sizes and times from the listing, no bodies. */
  async list(options?: CallOptions): Promise<StoredObject[]> {
    const objects = await this.uploader.listRecordings(options);
    for (const object of objects) this.remember(object);
    return objects;
  }

  /** One recording's object (a recent listing's, or a HEAD); NOT_FOUND when there is none. */
  async object(sessionId: string, options?: CallOptions): Promise<StoredObject> {
    const seen = this.known.get(checkSessionId(sessionId));
    if (seen && Date.now() - seen.at < STAT_TTL_MS) return seen.object;
    const found = await this.uploader.statRecording(sessionId, options);
    if (!found) throw notFound(`no recording of session ${sessionId} in ${this.namePrefix}`);
    return this.remember(found);
  }

  async stat(name: string): Promise<RecordingStat> {
    const object = await this.object(this.sessionOf(name));
    return { size: object.bytes, mtimeMs: object.lastModifiedMs, identity: `${object.bytes}:${object.lastModifiedMs}:${object.etag}` };
  }

  async open(name: string): Promise<RecordingHandle> {
    return new S3RecordingHandle(this.uploader, name, await this.object(this.sessionOf(name)));
  }

  async stream(name: string, start: number): Promise<AsyncIterable<Uint8Array>> {
    const object = await this.object(this.sessionOf(name));
    return streamObject(this.uploader, name, object, start);
  }

  private sessionOf(name: string): string {
    const sessionId = name.startsWith(this.namePrefix) && name.endsWith('.tar') ? name.slice(this.namePrefix.length, -4) : '';
    if (!isUuid(sessionId)) throw badParameter(`not a recording of ${this.namePrefix}: ${JSON.stringify(name.slice(0, 300))}`);
    return sessionId;
  }

  private remember(object: StoredObject): StoredObject {
    this.known.delete(object.sessionId);
    this.known.set(object.sessionId, { object, at: Date.now() });
    if (this.known.size > MAX_KNOWN) this.known.delete(this.known.keys().next().value!);
    return object;
  }
}

/** S3's answer when the object is not the version listed (If-Match failed), in words that say so. */
function readError(err: unknown, name: string, what: string): AuditcastError {
  const mapped = s3Error(err, `${name}: ${what}`);
  if (mapped.code === 'ALREADY_EXISTS') return new AuditcastError('CONNECTION_PROBLEM', `${name}: ${what}: the object changed since it was listed`, { cause: err });
  return mapped;
}

/** Bytes [start, end) of the object, checked to be all there. */
async function fetchRange(uploader: S3Uploader, name: string, object: StoredObject, start: number, end: number): Promise<Buffer> {
  const out = Buffer.allocUnsafe(end - start);
  let got = 0;
  try {
    const body = await uploader.downloadStream(object.sessionId, undefined, { start, end, ifMatch: object.etag || undefined });
    for await (const chunk of body as AsyncIterable<Buffer>) {
      if (got + chunk.length > out.length) throw new AuditcastError('CORRUPTED', `${name}: more than the ${out.length} bytes asked for at byte ${start}`);
      out.set(chunk, got);
      got += chunk.length;
    }
  } catch (err) {
    throw readError(err, name, `reading bytes ${start}-${end}`);
  }
  if (got < out.length) throw truncated(name, object, start + got);
  return out;
}

function truncated(name: string, object: StoredObject, at: number): AuditcastError {
  return new AuditcastError('CORRUPTED', `${name}: truncated at byte ${at}, the object is listed with ${object.bytes} bytes`);
}

/** The object from `start` to its end in one GET, checked to be as long as listed. */
async function* streamObject(uploader: S3Uploader, name: string, object: StoredObject, start: number): AsyncGenerator<Uint8Array> {
  if (start >= object.bytes) return;
  let at = start;
  try {
    const body = await uploader.downloadStream(object.sessionId, undefined, { start, ifMatch: object.etag || undefined });
    for await (const chunk of body as AsyncIterable<Buffer>) {
      if (at + chunk.length > object.bytes) throw new AuditcastError('CORRUPTED', `${name}: longer than the ${object.bytes} bytes listed`);
      at += chunk.length;
      yield chunk;
    }
  } catch (err) {
    throw readError(err, name, `reading from byte ${start}`);
  }
  if (at < object.bytes) throw truncated(name, object, at);
}

/**
 * One open recording: reads are served from a window of the object fetched with a ranged GET.
 * A read outside it fetches a new window there; one right after the last doubles the read-ahead,
 * one elsewhere (a seek) starts small again, so a seek or a first frame fetches little.
 */
class S3RecordingHandle implements RecordingHandle {
  private window: Buffer = Buffer.alloc(0);
  private windowStart = 0;
  private readAhead = MIN_READ_AHEAD;

  constructor(private readonly uploader: S3Uploader, private readonly name: string, private readonly object: StoredObject) {}

  async stat(): Promise<{ size: number }> {
    return { size: this.object.bytes };
  }

  async read(buffer: Uint8Array, offset: number, length: number, position: number): Promise<{ bytesRead: number }> {
    if (!(Number.isSafeInteger(position) && position >= 0 && Number.isSafeInteger(length) && length >= 0)) {
      throw badParameter(`${this.name}: bad read of ${length} bytes at byte ${position}`);
    }
    const size = this.object.bytes;
    const end = Math.min(size, position + length);
    if (end <= position) return { bytesRead: 0 };
    const windowEnd = this.windowStart + this.window.length;
    if (position < this.windowStart || end > windowEnd) {
      // Reading on from inside the window keeps its tail and reads further ahead.
      const onward = this.window.length > 0 && position >= this.windowStart && position <= windowEnd;
      this.readAhead = onward ? Math.min(MAX_READ_AHEAD, this.readAhead * 2) : MIN_READ_AHEAD;
      const kept = onward ? this.window.subarray(position - this.windowStart) : Buffer.alloc(0);
      this.window = Buffer.alloc(0); // a failed fetch leaves no stale window
      this.windowStart = position;
      const fetched = await fetchRange(this.uploader, this.name, this.object, position + kept.length, Math.min(size, position + Math.max(length, this.readAhead)));
      this.window = kept.length > 0 ? Buffer.concat([kept, fetched]) : fetched;
    }
    const from = position - this.windowStart;
    buffer.set(this.window.subarray(from, from + (end - position)), offset);
    return { bytesRead: end - position };
  }

  async close(): Promise<void> {
    this.window = Buffer.alloc(0);
  }
}
