// Where the console finds recordings: a directory of <session-id>.tar files (the CLI's
// <data>/records, Teleport's file uploader layout). Every id is checked before it names a file.
import { promises as fsp } from 'node:fs';
import { join, resolve } from 'node:path';
import { badParameter, notFound } from '../errors.js';

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
  /** Where the recordings are on the server, when they are files (never shown to a client). */
  readonly dir?: string;
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
