// Where the console finds recordings: a directory of <session-id>.tar files (the CLI's
// <data>/records, Teleport's file uploader layout), or an S3 bucket of them (Teleport's S3 session
// storage). Every id is checked before it names a file or a key.
import { promises as fsp } from 'node:fs';
import { join, resolve } from 'node:path';
import { badParameter, notFound } from '../errors.js';
import { isUuid } from '../uploads/ids.js';
import type { S3RecordingMirror } from '../uploads/s3-recording-mirror.js';
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

/** How long a HEAD or listing of the bucket answers `get` before S3 is asked again. */
const S3_STAT_TTL_MS = 10_000;

/**
 * Teleport's recordings in S3 (`auditcast serve --recordings s3://bucket/prefix?endpoint=...`),
 * played from local copies that S3RecordingMirror streams to disk and refreshes when the object
 * changes. A recording that cannot be fetched is left out of the list (`onError` hears why).
 */
export class S3RecordingStore implements RecordingStore {
  private readonly known = new Map<string, { object: StoredObject; at: number }>();

  constructor(private readonly mirror: S3RecordingMirror, private readonly onError: (sessionId: string, err: Error) => void = () => {}) {}

  async list(): Promise<StoredRecording[]> {
    const found: StoredRecording[] = [];
    for (const object of await this.mirror.list()) {
      this.known.set(object.sessionId, { object, at: Date.now() });
      try {
        found.push(await this.local(object));
      } catch (err) {
        this.onError(object.sessionId, err as Error);
      }
    }
    return found;
  }

  async get(sessionId: string): Promise<StoredRecording> {
    checkConsoleSessionId(sessionId);
    if (!isUuid(sessionId)) throw notFound(`no recording of session ${sessionId}`);
    const seen = this.known.get(sessionId);
    let object = seen && Date.now() - seen.at < S3_STAT_TTL_MS ? seen.object : undefined;
    if (!object) {
      object = await this.mirror.stat(sessionId);
      this.known.set(sessionId, { object, at: Date.now() });
      if (this.known.size > 65_536) this.known.delete(this.known.keys().next().value!);
    }
    return this.local(object);
  }

  private async local(object: StoredObject): Promise<StoredRecording> {
    const copy = await this.mirror.local(object);
    return { sessionId: object.sessionId, path: copy.path, bytes: object.bytes, mtimeMs: object.lastModifiedMs };
  }
}
