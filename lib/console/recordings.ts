// Where the console finds recordings: a directory of <session-id>.tar files (the CLI's
// <data>/records, Teleport's file uploader layout), or an S3 bucket of them (Teleport's S3 session
// storage). Every id is checked before it names a file or a key. A recording's `path` is what
// readers open it by (lib/stream/recording-file.ts): a file, or an S3 object's s3:// name.
import { promises as fsp } from 'node:fs';
import { join, resolve } from 'node:path';
import { badParameter, notFound } from '../errors.js';
import { isUuid } from '../uploads/ids.js';
import type { S3RecordingSource } from '../uploads/s3-recording-source.js';
import type { StoredObject } from '../uploads/s3-uploader.js';

/** Session ids as Teleport makes them (UUIDs) and as tests and imports name them. */
const SESSION_ID = /^[A-Za-z0-9][A-Za-z0-9_-]{0,127}$/;

export function checkConsoleSessionId(value: unknown): string {
  if (typeof value !== 'string' || !SESSION_ID.test(value)) throw badParameter(`invalid session id ${JSON.stringify(String(value).slice(0, 200))}`);
  return value;
}

export interface StoredRecording {
  sessionId: string;
  path: string;
  bytes: number;
  mtimeMs: number;
}

export interface RecordingStore {
  /** Every complete recording, in no particular order. */
  list(): Promise<StoredRecording[]>;
  /** One recording; NOT_FOUND when there is none. */
  get(sessionId: string): Promise<StoredRecording>;
}

export class DirRecordingStore implements RecordingStore {
  readonly dir: string;

  constructor(dir: string) {
    this.dir = resolve(dir);
  }

  async list(): Promise<StoredRecording[]> {
    let names: string[];
    try {
      names = await fsp.readdir(this.dir);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw err;
    }
    const found: StoredRecording[] = [];
    for (const name of names) {
      if (!name.endsWith('.tar') || !SESSION_ID.test(name.slice(0, -4))) continue;
      const rec = await this.stat(name.slice(0, -4));
      if (rec) found.push(rec);
    }
    return found;
  }

  async get(sessionId: string): Promise<StoredRecording> {
    const rec = await this.stat(checkConsoleSessionId(sessionId));
    if (!rec) throw notFound(`no recording of session ${sessionId}`);
    return rec;
  }

  private async stat(sessionId: string): Promise<StoredRecording | null> {
    const path = join(this.dir, `${sessionId}.tar`);
    try {
      const st = await fsp.stat(path);
      return st.isFile() ? { sessionId, path, bytes: st.size, mtimeMs: st.mtimeMs } : null;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw err;
    }
  }
}

/**
 * Teleport's recordings in S3 (`auditcast serve --recordings s3://bucket/prefix?endpoint=...`),
 * listed from the bucket's listing and read where they are, by ranged GETs
 * (lib/uploads/s3-recording-source.ts): a recording's `path` is its s3:// name. Nothing is
 * downloaded to list them, and playing one reads the parts it shows.
 */
export class S3RecordingStore implements RecordingStore {
  constructor(private readonly source: S3RecordingSource) {}

  async list(): Promise<StoredRecording[]> {
    return (await this.source.list()).map((object) => this.recording(object));
  }

  async get(sessionId: string): Promise<StoredRecording> {
    checkConsoleSessionId(sessionId);
    if (!isUuid(sessionId)) throw notFound(`no recording of session ${sessionId}`);
    return this.recording(await this.source.object(sessionId));
  }

  private recording(object: StoredObject): StoredRecording {
    return { sessionId: object.sessionId, path: this.source.nameOf(object.sessionId), bytes: object.bytes, mtimeMs: object.lastModifiedMs };
  }
}
