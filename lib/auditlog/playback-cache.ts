// Downloaded recordings cached under <data_dir>/log/playbacks/sessions/default: one download per
// session however many callers want it at once, files recycled after a TTL.
import { randomUUID } from 'node:crypto';
import { createWriteStream, promises as fsp } from 'node:fs';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { badParameter } from '../errors.js';
import type { MultipartUploader } from '../stream/multipart-uploader.js';

const SESSION_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,254}$/;

export function checkSessionId(sessionId: string): void {
  if (typeof sessionId !== 'string' || !SESSION_ID.test(sessionId) || sessionId.includes('..')) {
    throw badParameter(`invalid session id ${JSON.stringify(sessionId)}`);
  }
}

export class PlaybackCache {
  private readonly inflight = new Map<string, Promise<unknown>>();

  constructor(
    readonly dir: string,
    private readonly uploader: MultipartUploader,
    private readonly ttlMs: number,
    private readonly clock: () => number,
  ) {}

  recordingPath(sessionId: string): string {
    return join(this.dir, `${sessionId}.stream.tar`);
  }

  private async fresh(path: string): Promise<boolean> {
    try {
      const st = await fsp.stat(path);
      return this.clock() - st.mtimeMs < this.ttlMs;
    } catch {
      return false;
    }
  }

  /** Runs `make` once for concurrent callers with the same key. */
  shared<T>(key: string, make: () => Promise<T>): Promise<T> {
    const running = this.inflight.get(key) as Promise<T> | undefined;
    if (running) return running;
    const promise = make().finally(() => this.inflight.delete(key));
    this.inflight.set(key, promise);
    return promise;
  }

  /** Path of the session's recording, downloaded unless a fresh copy is cached. */
  fetch(sessionId: string, signal?: AbortSignal): Promise<string> {
    checkSessionId(sessionId);
    const path = this.recordingPath(sessionId);
    return this.shared(`recording:${sessionId}`, async () => {
      if (await this.fresh(path)) return path;
      await fsp.mkdir(this.dir, { recursive: true });
      const tmp = `${path}.${randomUUID()}.tmp`;
      try {
        const body = await this.uploader.downloadStream(sessionId, { signal });
        await pipeline(body, createWriteStream(tmp, { mode: 0o640 }), { signal });
        await fsp.rename(tmp, path);
      } catch (err) {
        await fsp.rm(tmp, { force: true });
        throw err;
      }
      return path;
    });
  }

  /** Deletes cached files older than the TTL; returns how many. */
  async recycle(): Promise<number> {
    let names: string[];
    try {
      names = await fsp.readdir(this.dir);
    } catch {
      return 0;
    }
    let removed = 0;
    for (const name of names) {
      const path = join(this.dir, name);
      try {
        const st = await fsp.stat(path);
        if (st.isFile() && this.clock() - st.mtimeMs >= this.ttlMs) {
          await fsp.rm(path, { force: true });
          removed++;
        }
      } catch {
        // gone meanwhile
      }
    }
    return removed;
  }
}
