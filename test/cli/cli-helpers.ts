// Runs the CLI as a user would: `node bin/auditcast.js ...` in a child process.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const ROOT = join(import.meta.dirname, '..', '..');
export const BIN = join(ROOT, 'bin', 'auditcast.js');
export const SHARED = join(ROOT, '..', 'shared');
export const CORPUS = join(SHARED, 'corpus');
export const TELEPORT_WEB = join(SHARED, 'fixtures', 'teleport-web');

export interface RunResult {
  code: number | null;
  stdout: Buffer;
  stderr: string;
  ms: number;
}

export interface RunOptions {
  env?: Record<string, string | undefined>;
  cwd?: string;
  input?: string | Buffer;
  timeoutMs?: number;
  /** Run as this user and group (the tests run as root in CI: to meet a file root could read). */
  uid?: number;
  gid?: number;
}

function environment(extra?: Record<string, string | undefined>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, AUDITCAST_NO_PROGRESS: '1', ...extra };
  for (const [k, v] of Object.entries(env)) if (v === undefined) delete env[k];
  return env;
}

/** Runs the CLI to completion; stdin is the given input (or empty), or /dev/null with `noInput`. */
export function run(args: readonly string[], options: RunOptions = {}, noInput = false): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const child = spawn(process.execPath, [BIN, ...args], {
      cwd: options.cwd ?? ROOT,
      env: environment(options.env),
      stdio: [noInput ? 'ignore' : 'pipe', 'pipe', 'pipe'],
      ...(options.uid === undefined ? {} : { uid: options.uid, gid: options.gid ?? options.uid }),
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout!.on('data', (d: Buffer) => out.push(d));
    child.stderr!.on('data', (d: Buffer) => err.push(d));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 50_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout: Buffer.concat(out), stderr: Buffer.concat(err).toString('utf8'), ms: Date.now() - started });
    });
    if (child.stdin) {
      child.stdin.on('error', () => {});
      child.stdin.end(options.input ?? '');
    }
  });
}

/** Same, with stdin from /dev/null (not a pipe). */
export function runNoInput(args: readonly string[], options: RunOptions = {}): Promise<RunResult> {
  return run(args, options, true);
}

export function tempDir(prefix = 'auditcast-cli-'): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/**
 * Fails the test when a tool it drives is missing (.ci/run installs them: Debian's asciinema and
 * bsdutils' script), so a missing tool is a failure, never a silent pass.
 */
export function requireCommand(...names: string[]): void {
  for (const name of names) {
    if (spawnSync('sh', ['-c', `command -v ${name}`], { stdio: 'ignore' }).status !== 0) {
      throw new Error(`this test needs '${name}' (apt-get install -y ${name === 'script' ? 'bsdutils' : name})`);
    }
  }
}

/** The bytes of a `script -T` typescript between its header line and its trailer. */
export function scriptBody(typescript: Buffer, timing: string): Buffer {
  const start = typescript.indexOf(0x0a) + 1;
  const total = timing.trim().split('\n').reduce((n, line) => n + Number(line.trim().split(/\s+/)[1]), 0);
  return typescript.subarray(start, start + total);
}

export const UUID_LINE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
