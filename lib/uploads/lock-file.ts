// Cross-process exclusive locks without native code: a lock is a file created with O_EXCL that
// holds the owner's pid. A lock whose owner is gone (no such pid) or that is older than `staleMs`
// was left by a crash and is broken. (Teleport uses flock(2); Node has no flock without an addon.)
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { AuditcastError } from '../errors.js';

export type ReleaseLock = () => Promise<void>;

export interface LockOptions {
  /** Locks older than this are broken; Infinity: only a dead owner's lock is broken. */
  staleMs?: number;
}

/** Takes the lock or returns null when another live owner holds it. */
export async function tryLockFile(file: string, options: LockOptions = {}): Promise<ReleaseLock | null> {
  const staleMs = options.staleMs ?? Number.POSITIVE_INFINITY;
  for (let round = 0; round < 2; round++) {
    try {
      const handle = await fs.open(file, 'wx', 0o600);
      try {
        await handle.writeFile(`${process.pid}\n`);
      } finally {
        await handle.close();
      }
      let released = false;
      return async () => {
        if (released) return;
        released = true;
        await fs.rm(file, { force: true });
      };
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') {
        await fs.mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
        continue;
      }
      if (code !== 'EEXIST') throw new AuditcastError('CONNECTION_PROBLEM', `lock ${file}: ${(err as Error).message}`, { cause: err });
    }
    if (!(await breakStaleLock(file, staleMs))) return null;
  }
  return null;
}

/** Takes the lock, trying `attempts` times `retryDelayMs` apart; CONNECTION_PROBLEM when it stays held. */
export async function acquireLockFile(file: string, what: string, options: LockOptions & { attempts?: number; retryDelayMs?: number } = {}): Promise<ReleaseLock> {
  const attempts = options.attempts ?? 3;
  for (let attempt = 1; ; attempt++) {
    const release = await tryLockFile(file, options);
    if (release) return release;
    if (attempt >= attempts) throw new AuditcastError('CONNECTION_PROBLEM', `${what} is locked by another process (${file})`);
    await sleep(options.retryDelayMs ?? 50);
  }
}

/** The pid written in a lock file, or null. */
export async function lockOwner(file: string): Promise<number | null> {
  try {
    const pid = Number.parseInt(await fs.readFile(file, 'utf8'), 10);
    return pid > 0 ? pid : null;
  } catch {
    return null;
  }
}

async function breakStaleLock(file: string, staleMs: number): Promise<boolean> {
  try {
    const [stat, pid] = await Promise.all([fs.stat(file), lockOwner(file)]);
    const old = Date.now() - stat.mtimeMs > staleMs;
    // An empty lock file is a crash between create and write, unless it is brand new.
    const ownerGone = pid === null ? Date.now() - stat.mtimeMs > 1000 : pid !== process.pid && !processAlive(pid);
    if (old || ownerGone) {
      await fs.rm(file, { force: true });
      return true;
    }
    return false;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'ENOENT'; // released meanwhile: try again
  }
}

export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
