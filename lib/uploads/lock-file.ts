// Cross-process exclusive locks without native code: a lock is a file created with O_EXCL that
// names its owner as "<pid> <boot id> <process start time>". (Teleport uses flock(2); Node has no
// flock without an addon.) A lock is broken when
//   - its owner is gone: no such pid, or the pid now belongs to another process (the machine
//     rebooted - another boot id - or the pid was reused - another start time), or
//   - it expired: its mtime is older than `staleMs`. A holder refreshes the mtime every staleMs/3,
//     so only a lock whose holder stopped (hung or killed) ever expires.
import { readFileSync } from 'node:fs';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { AuditcastError } from '../errors.js';
import { checkDirectory, readFile } from '../safe-fs.js';

export type ReleaseLock = () => Promise<void>;

export interface LockOptions {
  /** Locks not refreshed for this long are broken; Infinity: only a dead owner's lock is broken. */
  staleMs?: number;
}

/** Who holds a lock, as written in the lock file. */
export interface LockOwner {
  pid: number;
  /** /proc/sys/kernel/random/boot_id of the owner's boot ('' when unknown). */
  bootId: string;
  /** The owner's start time in clock ticks since boot (/proc/<pid>/stat field 22); null when unknown. */
  startTicks: number | null;
}

/** Takes the lock or returns null when another live owner holds it. */
export async function tryLockFile(file: string, options: LockOptions = {}): Promise<ReleaseLock | null> {
  const staleMs = options.staleMs ?? Number.POSITIVE_INFINITY;
  for (let round = 0; round < 2; round++) {
    try {
      // O_EXCL: never follows a link planted at the lock's name.
      const handle = await fs.open(file, 'wx', 0o600);
      try {
        await handle.writeFile(formatOwner(ourIdentity()));
      } finally {
        await handle.close();
      }
      return holdLock(file, staleMs);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') {
        await fs.mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
        await checkDirectory(path.dirname(file)).catch((e: unknown) => { throw lockError(file, e); });
        continue;
      }
      if (code !== 'EEXIST') throw lockError(file, err);
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
    if (attempt >= attempts) {
      const owner = await lockOwnerInfo(file);
      throw new AuditcastError('CONNECTION_PROBLEM', `${what} is locked by another process${owner ? ` (pid ${owner.pid})` : ''} (${file})`);
    }
    await sleep(options.retryDelayMs ?? 50);
  }
}

/** The pid written in a lock file, or null. */
export async function lockOwner(file: string): Promise<number | null> {
  return (await lockOwnerInfo(file))?.pid ?? null;
}

/** The owner written in a lock file (a bare pid from older versions too), or null. */
export async function lockOwnerInfo(file: string): Promise<LockOwner | null> {
  try {
    return parseOwner(await readFile(file, 'utf8'));
  } catch {
    return null;
  }
}

export function formatOwner(owner: LockOwner): string {
  return `${owner.pid} ${owner.bootId || '-'} ${owner.startTicks ?? '-'}\n`;
}

export function parseOwner(text: string): LockOwner | null {
  const [pidText, bootId, ticks] = text.trim().split(/\s+/);
  const pid = Number.parseInt(pidText ?? '', 10);
  if (!(pid > 0)) return null;
  const startTicks = ticks === undefined || ticks === '-' ? null : Number(ticks);
  return {
    pid,
    bootId: bootId === undefined || bootId === '-' ? '' : bootId,
    startTicks: Number.isSafeInteger(startTicks) ? startTicks : null,
  };
}

/** Whether the process named in a lock is still the one that wrote it. */
export function ownerAlive(owner: LockOwner): boolean {
  if (!processAlive(owner.pid)) return false;
  const boot = bootId();
  if (owner.bootId !== '' && boot !== '' && owner.bootId !== boot) return false; // rebooted since
  if (owner.startTicks !== null) {
    const now = processStartTicks(owner.pid);
    if (now !== null && now !== owner.startTicks) return false; // the pid was reused
  }
  return true;
}

export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

// ------------------------------------------------------------------------------------------

function lockError(file: string, err: unknown): AuditcastError {
  if (err instanceof AuditcastError) return err;
  return new AuditcastError('CONNECTION_PROBLEM', `lock ${file}: ${(err as Error).message}`, { cause: err });
}

/** Keeps a taken lock fresh until released. */
function holdLock(file: string, staleMs: number): ReleaseLock {
  let timer: NodeJS.Timeout | undefined;
  if (Number.isFinite(staleMs)) {
    timer = setInterval(() => {
      const now = new Date();
      fs.utimes(file, now, now).catch(() => {});
    }, Math.max(10, Math.floor(staleMs / 3)));
    timer.unref();
  }
  let released = false;
  return async () => {
    if (released) return;
    released = true;
    if (timer) clearInterval(timer);
    await fs.rm(file, { force: true });
  };
}

async function breakStaleLock(file: string, staleMs: number): Promise<boolean> {
  try {
    const [stat, owner] = await Promise.all([fs.lstat(file), lockOwnerInfo(file)]);
    const age = Date.now() - stat.mtimeMs;
    // An empty lock file is a crash between create and write, unless it is brand new.
    const ownerGone = owner === null ? age > 1000 : !ownerAlive(owner);
    if (age > staleMs || ownerGone) {
      await fs.rm(file, { force: true });
      return true;
    }
    return false;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'ENOENT'; // released meanwhile: try again
  }
}

let cachedBootId: string | undefined;
function bootId(): string {
  if (cachedBootId === undefined) {
    try {
      cachedBootId = readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
    } catch {
      cachedBootId = ''; // not Linux: the pid and the expiry still apply
    }
  }
  return cachedBootId;
}

/** Field 22 of /proc/<pid>/stat (after the parenthesised command name, which may hold spaces). */
export function processStartTicks(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[19]);
    return Number.isSafeInteger(ticks) ? ticks : null;
  } catch {
    return null;
  }
}

let ours: LockOwner | undefined;
function ourIdentity(): LockOwner {
  ours ??= { pid: process.pid, bootId: bootId(), startTicks: processStartTicks(process.pid) };
  return ours;
}
