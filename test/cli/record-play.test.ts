// record through a real pseudo-terminal, then verify/export/play/ls/search what was recorded.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CORPUS, UUID_LINE, requireCommand, run, runNoInput, tempDir } from './cli-helpers.js';

const tmp = tempDir();
afterAll(() => tmp.cleanup());
const data = join(tmp.dir, 'data');
const env = { AUDITCAST_DATA_DIR: data };

function sessionIdOf(stderr: string): string {
  const m = /session ([0-9a-f-]{36}) recorded/.exec(stderr);
  if (!m) throw new Error(`no session id in ${JSON.stringify(stderr)}`);
  return m[1]!;
}

describe('record', () => {
  let sid = '';

  beforeAll(async () => {
    const result = await runNoInput(['record', '--title', 'hello world', '--', 'sh', '-c', 'printf hello; sleep 0.3; printf world; exit 3'], { env });
    expect(result.stdout.toString()).toBe('helloworld');
    expect(result.code).toBe(3);
    sid = sessionIdOf(result.stderr);
    expect(sid).toMatch(UUID_LINE);
  });

  it('writes records/<sid>.tar that verifies and exports the program output', async () => {
    const verified = await run(['verify', sid, '--json'], { env });
    expect(verified.code).toBe(0);
    const report = JSON.parse(verified.stdout.toString()) as { eventTypes: Record<string, number>; printBytes: number; sessionId: string };
    expect(report.sessionId).toBe(sid);
    expect(report.eventTypes['session.start']).toBe(1);
    expect(report.eventTypes['session.end']).toBe(1);
    expect(report.printBytes).toBe(10);
    const text = await run(['export', join(data, 'records', `${sid}.tar`), '--format', 'text']);
    expect(text.stdout.toString()).toBe('helloworld');
  });

  it('records the terminal size and the timing of the output', async () => {
    const cast = (await run(['export', sid, '-f', 'asciicast'], { env })).stdout.toString().trim().split('\n').map((l) => JSON.parse(l) as unknown);
    const [header, ...events] = cast as [Record<string, unknown>, ...[number, string, string][]];
    expect(header).toMatchObject({ version: 2, width: 80, height: 24, title: 'hello world' });
    expect(events.map((e) => e[2]).join('')).toBe('helloworld');
    const hello = events.find((e) => e[2].includes('hello'))!;
    const world = events.find((e) => e[2].includes('world'))!;
    // The gap can shrink only by how late 'hello' was read; 'world' cannot come before the sleep.
    expect(world[0] - hello[0]).toBeGreaterThanOrEqual(0.15);
  });

  it('is listed by ls and its events are in the audit log', async () => {
    const ls = await run(['ls'], { env });
    expect(ls.code).toBe(0);
    expect(ls.stdout.toString()).toMatch(new RegExp(`${sid}.*80x24\\s+complete\\s+hello world`));
    const search = await run(['search', '--json'], { env });
    const events = search.stdout.toString().trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(events.map((e) => e.event)).toEqual(['session.start', 'session.end']);
    expect(events[0]).toMatchObject({ sid, size: '80:24', reason: 'hello world', initial_command: ['sh', '-c', 'printf hello; sleep 0.3; printf world; exit 3'] });
    const table = await run(['search', '--type', 'session.end'], { env });
    expect(table.stdout.toString()).toMatch(/^TIME\s+TYPE\s+CODE/);
    expect(table.stdout.toString()).toMatch(/session\.end\s+T2004I/);
    expect(table.stdout.toString()).not.toMatch(/session\.start/);
  });

  it('passes piped input to the program and its exit code back', async () => {
    const result = await run(['record', '--', 'sh', '-c', 'read line; echo "got $line"; exit 0'], { env, input: 'abc\n' });
    expect(result.code).toBe(0);
    expect(result.stdout.toString()).toContain('got abc');
    const text = await run(['export', sessionIdOf(result.stderr), '-f', 'text'], { env });
    expect(text.stdout.toString()).toContain('got abc');
  });

  it('gives the exit code of a program that closes its output before exiting (cat), every time', async () => {
    // Without holding the terminal open node-pty would hang it up while cat exits: SIGHUP, 129.
    for (let i = 0; i < 8; i++) {
      const result = await run(['record', '--', 'sh', '-c', 'cat; echo "cat=$?"'], { env, input: 'line\n' });
      expect(result.code).toBe(0);
      expect(result.stdout.toString().replace(/\r/g, '')).toBe('line\nline\ncat=0\n');
    }
    const plain = await run(['record', '--', 'cat'], { env, input: 'x\n' });
    expect(plain.code).toBe(0);
  });

  it('runs under a real terminal (script) with the terminal size it reports', async () => {
    requireCommand('script');
    const { execFileSync } = await import('node:child_process');
    const out = execFileSync('script', ['-q', '-c', `stty cols 100 rows 30; ${process.execPath} bin/auditcast.js record -- sh -c 'stty size'`, '/dev/null'], {
      cwd: join(import.meta.dirname, '..', '..'), env: { ...process.env, AUDITCAST_DATA_DIR: data }, stdio: ['ignore', 'pipe', 'pipe'], timeout: 30_000,
    }).toString();
    expect(out).toContain('30 100');
    const sid2 = sessionIdOf(out);
    const cast = (await run(['export', sid2, '-f', 'asciicast'], { env })).stdout.toString().split('\n')[0]!;
    expect(JSON.parse(cast)).toMatchObject({ width: 100, height: 30 });
  });

  it('forwards and records a resize of the terminal', async () => {
    requireCommand('script');
    const { spawn } = await import('node:child_process');
    // The outer terminal (script's) changes size once the recorded command has started (it touches a
    // file), and the command waits until its own terminal has the new size: no race with start-up time.
    const started = join(tmp.dir, 'resize-started');
    const inner = `touch ${started}; i=0; while [ "$(stty size)" != "40 120" ] && [ $i -lt 400 ]; do sleep 0.05; i=$((i+1)); done; stty size`;
    const outer = `(while [ ! -f ${started} ]; do sleep 0.05; done; stty cols 120 rows 40 < /dev/tty) & exec ${process.execPath} bin/auditcast.js record -- sh -c '${inner}'`;
    const script = join(tmp.dir, 'resize.sh');
    writeFileSync(script, outer);
    // script's stdin stays open (a pipe we never end) until the recorded command is done.
    const child = spawn('script', ['-q', '-c', `sh ${script}`, '/dev/null'], {
      cwd: join(import.meta.dirname, '..', '..'), env: { ...process.env, AUDITCAST_DATA_DIR: data }, stdio: ['pipe', 'pipe', 'inherit'],
    });
    const chunks: Buffer[] = [];
    child.stdout.on('data', (c: Buffer) => chunks.push(c));
    await new Promise((resolve) => child.on('close', resolve));
    child.stdin.destroy();
    const out = Buffer.concat(chunks).toString();
    expect(out).toContain('40 120');
    const sid2 = sessionIdOf(out);
    const cast = (await run(['export', sid2, '-f', 'asciicast'], { env })).stdout.toString().trim().split('\n').map((l) => JSON.parse(l) as unknown[]);
    expect(cast.filter((e) => e[1] === 'r').map((e) => e[2])).toEqual(['120x40']);
    const resizes = await run(['search', '--type', 'resize', '--json'], { env });
    expect(resizes.stdout.toString()).toContain(`"sid":"${sid2}"`);
    expect(resizes.stdout.toString()).toContain('"size":"120:40"');
  });

  it('takes the command without -- too (record echo -n hi)', async () => {
    const result = await runNoInput(['record', '-t', 'no separator', 'echo', '-n', 'hi'], { env });
    expect(result.code).toBe(0);
    expect(result.stdout.toString()).toBe('hi');
  });

  it('fails with 127 and one line for a missing command', async () => {
    const result = await runNoInput(['record', '--', 'no-such-command-xyz'], { env });
    expect(result.code).toBe(127);
    expect(result.stderr).toBe('auditcast record: no-such-command-xyz: command not found\n');
  });
});

describe('play', () => {
  const typing = join(tmp.dir, 'typing.tar');
  beforeAll(async () => {
    expect((await run(['import', '--from', 'script', join(CORPUS, 'typing.timing'), join(CORPUS, 'typing.typescript'), '-o', typing])).code).toBe(0);
  });

  it('writes the terminal output with the recorded timing', async () => {
    // A gap long enough that the 10x replay stays faster even when start-up varies under load.
    const rec = await runNoInput(['record', '--', 'sh', '-c', 'printf a; sleep 1.2; printf b'], { env });
    const sid = sessionIdOf(rec.stderr);
    const cast = (await run(['export', sid, '-f', 'asciicast'], { env })).stdout.toString().trim().split('\n').slice(1).map((l) => JSON.parse(l) as [number]);
    const gapMs = (cast.at(-1)![0] - cast[0]![0]) * 1000;
    expect(gapMs).toBeGreaterThan(1000);
    const played = await run(['play', sid], { env });
    expect(played.code).toBe(0);
    expect(played.stdout.toString()).toBe('ab');
    expect(played.ms).toBeGreaterThanOrEqual(gapMs - 20);
    const fast = await run(['play', sid, '--speed', '10'], { env });
    expect(fast.stdout.toString()).toBe('ab');
    expect(fast.ms).toBeLessThan(played.ms);
  });

  it('caps pauses with --idle-limit and skips ahead with --from', async () => {
    const original = (await run(['export', typing, '-f', 'text'])).stdout;
    const capped = await run(['play', typing, '--idle-limit', '0']);
    expect(capped.code).toBe(0);
    expect(capped.stdout.equals(original)).toBe(true);
    expect(capped.ms).toBeLessThan(3000);
    const skipped = await run(['play', typing, '--from', '100']);
    expect(skipped.stdout.equals(original)).toBe(true);
    expect(skipped.ms).toBeLessThan(3000);
  });

  it('rejects a bad speed with a usage error', async () => {
    const result = await run(['play', typing, '--speed', 'fast']);
    expect(result.code).toBe(2);
    expect(result.stderr.split('\n')[0]).toBe('auditcast play: --speed must be a number in [0.015625, 64], got "fast"');
  });
});

