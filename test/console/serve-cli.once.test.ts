// `auditcast serve` as a user runs it: it prints a URL with a token, answers only with it, indexes
// the data dir's recordings in the background, stops on SIGTERM, and refuses a public address
// without TLS.
import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, run } from '../cli/cli-helpers.js';
import { type ConsoleData, makeConsoleData, TYPING_SID } from './console-fixture.js';
import { writeLargeRecording } from './large-recording.js';

let data: ConsoleData;

beforeAll(async () => {
  data = await makeConsoleData();
});

afterAll(() => data?.cleanup());

describe('auditcast serve', () => {
  it('refuses a non-loopback address without TLS or --insecure', async () => {
    const res = await run(['serve', '--data-dir', data.root, '--listen', '0.0.0.0:0']);
    expect(res.code).toBe(1);
    expect(res.stderr).toMatch(/without TLS/);
    const bad = await run(['serve', '--data-dir', data.root, '--token', 'short']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/token/);
  });

  it('prints a login URL, serves the data dir with the token only, and stops on SIGTERM', async () => {
    const child = spawn(process.execPath, [BIN, 'serve', '--data-dir', data.root, '--listen', '127.0.0.1:0'], { stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      const login = await new Promise<string>((resolve, reject) => {
        let out = '';
        child.stdout.on('data', (c: Buffer) => {
          out += c.toString();
          const m = /open: (http:\/\/\S+)/.exec(out);
          if (m) resolve(m[1]!);
        });
        child.on('exit', (code) => reject(new Error(`serve exited with ${code}`)));
      });
      const url = new URL(login);
      const token = url.searchParams.get('token')!;
      expect(token.length).toBeGreaterThanOrEqual(43);
      expect((await fetch(`${url.origin}/api/sessions`)).status).toBe(401);
      const res = await fetch(`${url.origin}/api/sessions`, { headers: { authorization: `Bearer ${token}` } });
      const { sessions } = await res.json() as { sessions: { sessionId: string }[] };
      expect(sessions.map((s) => s.sessionId)).toContain(TYPING_SID);
      const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  });

  it('stops on SIGTERM in the middle of an index build, saying nothing about it', async () => {
    const sid = 'b16b16b1-0000-4000-8000-00000000cafe';
    await writeLargeRecording(data.recordsDir, sid, 32 * 2 ** 20);
    const child = spawn(process.execPath, [BIN, 'serve', '--data-dir', data.root, '--listen', '127.0.0.1:0'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => { stderr += c.toString(); });
    try {
      const login = new URL(await new Promise<string>((resolve, reject) => {
        let out = '';
        child.stdout.on('data', (c: Buffer) => {
          out += c.toString();
          const m = /open: (http:\/\/\S+)/.exec(out);
          if (m) resolve(m[1]!);
        });
        child.on('exit', (code) => reject(new Error(`serve exited with ${code}`)));
      }));
      const headers = { authorization: `Bearer ${login.searchParams.get('token')}` };
      // Opening the recording moves its build first; it has made keyframes when this returns.
      await expect.poll(async () => {
        const res = await fetch(`${login.origin}/api/sessions/${sid}/progress`, { headers });
        const { index } = await res.json() as { index: { state: string; indexedSeconds: number } };
        return index.state === 'building' && index.indexedSeconds > 0;
      }, { timeout: 60_000, interval: 100 }).toBe(true);
      const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
      expect(stderr).toBe('');
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  });
});
