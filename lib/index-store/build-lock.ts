// One build of a session's index at a time, across processes (a background indexer started by
// `record`, a `grep` catching up, `serve`): `<seek path>.lock`, created exclusively, names the
// builder's pid and host. Another builder waits for it to go away and then finds a fresh index; a
// lock left by a process of this host that is gone is taken over, as is one older than an hour
// from another host (nothing there tells whether its builder is alive).
import { constants as fsConstants } from 'node:fs';
import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import { throwIfAborted } from '../errors.js';

const POLL_MS = 100;
const FOREIGN_STALE_MS = 60 * 60_000;

export interface BuildLock {
  release(): Promise<void>;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Whether the lock at `file` belongs to no live builder. */
async function isStale(file: string): Promise<boolean> {
  let text: string;
  let mtimeMs: number;
  try {
    text = await fs.readFile(file, 'utf8');
    mtimeMs = (await fs.stat(file)).mtimeMs;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'ENOENT' ? false : true;
  }
  let owner: { pid?: unknown; host?: unknown };
  try {
    owner = JSON.parse(text) as typeof owner;
  } catch {
    // Torn while written (or being written right now): stale only once it is old.
    return Date.now() - mtimeMs > 10_000;
  }
  if (owner.host === os.hostname()) return !(typeof owner.pid === 'number' && isAlive(owner.pid));
  return Date.now() - mtimeMs > FOREIGN_STALE_MS;
}

/**
 * Takes the lock at `file`; if another live builder holds it, calls `onWait` once and waits.
 * Resolves with `waited` true when it had to wait (the other build is then done).
 */
export async function acquireBuildLock(file: string, options: { signal?: AbortSignal; onWait?: (holder: string) => void } = {}): Promise<BuildLock & { waited: boolean }> {
  let waited = false;
  for (;;) {
    throwIfAborted(options.signal);
    try {
      const handle = await fs.open(file, fsConstants.O_WRONLY | fsConstants.O_CREAT | fsConstants.O_EXCL | fsConstants.O_NOFOLLOW, 0o600);
      try {
        await handle.writeFile(JSON.stringify({ pid: process.pid, host: os.hostname() }));
      } finally {
        await handle.close();
      }
      return { waited, release: () => fs.rm(file, { force: true }) };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    if (await isStale(file)) {
      await fs.rm(file, { force: true });
      continue;
    }
    if (!waited) options.onWait?.(await fs.readFile(file, 'utf8').catch(() => ''));
    waited = true;
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}
