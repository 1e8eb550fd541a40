// Teleport recordings in S3 (`<prefix>/<sid>.tar`) read through a local copy: each object is
// streamed from S3 into a file under a directory of ours (never whole in memory), written to a
// temporary name and renamed when complete, and fetched again only when the object changes (its
// size or time differ; the copy keeps the object's LastModified as its mtime, so the seek index's
// stamp of the copy stays valid across runs). Readers (the index, the console's player) then get
// random access to a plain file.
import { createHash, randomUUID } from 'node:crypto';
import { createWriteStream, promises as fsp } from 'node:fs';
import * as path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { AuditcastError, notFound } from '../errors.js';
import type { CallOptions } from './multipart-uploader.js';
import { checkSessionId } from './ids.js';
import { S3Uploader, type S3UploaderOptions, type StoredObject, s3Error } from './s3-uploader.js';
import { s3OptionsFromUrl } from './s3-url.js';

export interface MirroredRecording extends StoredObject {
  /** The local copy. */
  path: string;
}

export class S3RecordingMirror {
  /** Where the copies of this bucket and prefix live. */
  readonly dir: string;
  readonly uploader: S3Uploader;
  private readonly fetching = new Map<string, Promise<string>>();

  /**
   * `source` is an s3:// URL as Teleport's audit_sessions_uri writes it (?region=, ?endpoint=...;
   * a custom endpoint is addressed path-style, as MinIO and test servers want) or uploader options.
   * Copies go to a directory under `cacheRoot` named after the bucket, endpoint and prefix.
   */
  constructor(source: string | S3UploaderOptions, cacheRoot: string) {
    const options = typeof source === 'string' ? s3OptionsFromUrl(source) : source;
    if (typeof source === 'string' && options.endpoint !== undefined) options.forcePathStyle ??= true;
    this.uploader = new S3Uploader(options);
    const where = createHash('sha256').update(JSON.stringify([options.endpoint ?? '', options.bucket, this.uploader.prefix])).digest('hex').slice(0, 16);
    this.dir = path.join(path.resolve(cacheRoot), `${options.bucket.replace(/[^A-Za-z0-9.-]/g, '_')}-${where}`);
  }

  /** The recordings in the bucket (not fetched). */
  list(options?: CallOptions): Promise<StoredObject[]> {
    return this.uploader.listRecordings(options);
  }

  /** One recording's object; NOT_FOUND when there is none. */
  async stat(sessionId: string, options?: CallOptions): Promise<StoredObject> {
    const found = await this.uploader.statRecording(checkSessionId(sessionId), options);
    if (!found) throw notFound(`no recording of session ${sessionId} in s3://${this.uploader.bucket}/${this.uploader.prefix}`);
    return found;
  }

  /** The local copy of `object`, fetched first when missing or out of date. */
  async local(object: StoredObject, options?: CallOptions): Promise<MirroredRecording> {
    const file = path.join(this.dir, `${checkSessionId(object.sessionId)}.tar`);
    const st = await fsp.stat(file).catch(() => null);
    if (st && st.size === object.bytes && Math.floor(st.mtimeMs / 1000) === Math.floor(object.lastModifiedMs / 1000)) return { ...object, path: file };
    const key = `${object.sessionId}\0${object.bytes}\0${object.lastModifiedMs}`;
    let pending = this.fetching.get(key);
    if (!pending) {
      pending = this.fetch(object, file, options).finally(() => this.fetching.delete(key));
      this.fetching.set(key, pending);
    }
    return { ...object, path: await pending };
  }

  private async fetch(object: StoredObject, file: string, options?: CallOptions): Promise<string> {
    await fsp.mkdir(this.dir, { recursive: true, mode: 0o700 });
    const temp = `${file}.${randomUUID()}.tmp`;
    try {
      const body = await this.uploader.downloadStream(object.sessionId, options);
      try {
        await pipeline(body, createWriteStream(temp, { flags: 'wx', mode: 0o600 }), { signal: options?.signal });
      } catch (err) {
        throw s3Error(err, `download recording ${object.sessionId}`);
      }
      const size = (await fsp.stat(temp)).size;
      if (size !== object.bytes) {
        throw new AuditcastError('CONNECTION_PROBLEM', `download recording ${object.sessionId}: got ${size} bytes, the object has ${object.bytes} (it changed or the transfer broke off)`);
      }
      const mtime = new Date(object.lastModifiedMs);
      await fsp.utimes(temp, mtime, mtime);
      await fsp.rename(temp, file);
      return file;
    } catch (err) {
      await fsp.rm(temp, { force: true });
      throw err;
    }
  }
}
