// Reading a command's output from a real pseudo-terminal: on the addon's thread (native pass) or
// node-pty's socket (AUDITCAST_FORCE_JS=1 pass). Every byte arrives once, in order, echoed first.
import { closeSync, openSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { backend } from '../../lib/codec/index.js';
import { holdTerminal, loadPty } from '../../lib/cli/record/pty-session.js';
import { readPtyOutput } from '../../lib/cli/record/pty-output.js';
import { tempDir } from './cli-helpers.js';

const tmp = tempDir();
const leftBehind = join(tmp.dir, 'left-behind.pid');
afterAll(() => {
  try { process.kill(Number(readFileSync(leftBehind, 'utf8')), 'SIGKILL'); } catch { /* not started, or gone */ }
  tmp.cleanup();
});

interface Run {
  chunks: Buffer[];
  echoed: Buffer;
  native: boolean;
  exitCode: number;
  msAfterExit: number;
}

async function capture(file: string, args: string[], name: string): Promise<Run> {
  const child = loadPty().spawn(file, args, { cols: 80, rows: 24, cwd: tmp.dir, env: { ...process.env } as Record<string, string>, encoding: null });
  const echoFile = join(tmp.dir, `${name}.echo`);
  const echoFd = openSync(echoFile, 'w');
  const chunks: Buffer[] = [];
  // As runPtySession does: the terminal is held until the command's output was read.
  const holder = holdTerminal(child);
  const exited = new Promise<{ exitCode: number }>((resolve) => child.onExit(resolve));
  const output = readPtyOutput(child, (bytes) => {
    holder.sawData();
    chunks.push(Buffer.from(bytes));
  }, exited, echoFd);
  const exit = await exited;
  const exitAt = Date.now();
  holder.release();
  output.stop();
  await output.ended;
  const msAfterExit = Date.now() - exitAt;
  closeSync(echoFd);
  return { chunks, echoed: readFileSync(echoFile), native: output.native, exitCode: exit.exitCode, msAfterExit };
}

describe('readPtyOutput', () => {
  it(`reads on the addon's thread exactly when the native backend is in use (${backend})`, async () => {
    const run = await capture('/bin/sh', ['-c', 'printf ok'], 'which');
    expect(run.native).toBe(backend === 'native');
    expect(Buffer.concat(run.chunks).toString()).toBe('ok');
  });

  it('hands over every byte of a fast command once, in order, after echoing it', async () => {
    const n = 200_000;
    const run = await capture('/usr/bin/seq', ['1', String(n)], 'seq');
    const expected = Buffer.from(Array.from({ length: n }, (_, i) => `${i + 1}\r\n`).join(''));
    const got = Buffer.concat(run.chunks);
    expect(run.exitCode).toBe(0);
    expect(got.length).toBe(expected.length);
    expect(got.equals(expected)).toBe(true);
    expect(run.echoed.equals(expected)).toBe(true);
    // Batched: far fewer hand-overs than lines.
    expect(run.chunks.length).toBeLessThan(n / 10);
  });

  it('ends soon after the exit when a process left behind holds the terminal open', async () => {
    // A process that ignores the hang-up keeps the terminal's slave side open after the exit.
    const run = await capture('/bin/sh', ['-c', `printf before; sh -c 'trap "" HUP; exec sleep 30' & echo $! > ${leftBehind}; exit 5`], 'held');
    expect(run.exitCode).toBe(5);
    expect(Buffer.concat(run.chunks).toString()).toBe('before');
    expect(run.msAfterExit).toBeLessThan(5000);
  });
});
