// `auditcast record` killed with SIGKILL at random moments under a real pseudo-terminal: after
// `auditcast recover` (itself SIGKILLed once at a random moment, then run again) every run has a readable recording, no line twice, only the output of the
// last moments before the kill missing, and nothing left behind in the data dir.
import { spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type { IPty } from 'node-pty';
import { afterAll, describe, expect, it } from 'vitest';
import { BIN, ROOT, run, tempDir } from './cli-helpers.js';
import { FLUSH_MS } from '../../lib/cli/commands/record.js';
import { rng } from '../helpers/seeded-random.js';

const pty = createRequire(import.meta.url)('node-pty') as typeof import('node-pty');
const tmp = tempDir('auditcast-crash-');
afterAll(() => tmp.cleanup());

const RUNS = 6;
/** Scheduling slack on a loaded machine on top of the recorder's flush interval. */
const SLACK_MS = 1500;
const LOOP = 'echo sid=$AUDITCAST_SESSION_ID; i=0; while :; do echo line$i; i=$((i+1)); sleep 0.05; done';

const mulberry32 = rng;

interface Killed {
  sessionId: string;
  /** When each complete line was shown on the recorder's terminal. */
  seenAt: Map<number, number>;
  killedAt: number;
}

function recordAndKill(data: string, delayMs: number): Promise<Killed> {
  return new Promise((resolve, reject) => {
    const env = { ...process.env, AUDITCAST_DATA_DIR: data } as Record<string, string>;
    const child: IPty = pty.spawn(process.execPath, [BIN, 'record', '--', 'sh', '-c', LOOP], { cols: 80, rows: 24, cwd: ROOT, env });
    const seenAt = new Map<number, number>();
    let text = '';
    let killedAt = 0;
    let armed = false;
    const guard = setTimeout(() => { child.kill('SIGKILL'); reject(new Error(`no output from record: ${JSON.stringify(text)}`)); }, 60_000);
    child.onData((chunk) => {
      if (killedAt) return;
      text += chunk;
      for (const m of text.matchAll(/line(\d+)\r*\n/g)) if (!seenAt.has(Number(m[1]))) seenAt.set(Number(m[1]), Date.now());
      if (!armed && seenAt.has(3)) {
        armed = true;
        setTimeout(() => {
          killedAt = Date.now();
          process.kill(child.pid, 'SIGKILL');
        }, delayMs);
      }
    });
    child.onExit(() => {
      clearTimeout(guard);
      if (!killedAt) reject(new Error(`record ended before it was killed: ${JSON.stringify(text)}`));
      else resolve({ sessionId: /sid=([0-9a-f-]{36})/.exec(text)?.[1] ?? '', seenAt, killedAt });
    });
  });
}

/** Runs `auditcast recover`, SIGKILLs it after `delayMs`; its output up to then. */
function recoverAndKill(env: Record<string, string>, delayMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, 'recover'], { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => { out += d.toString(); });
    const timer = setTimeout(() => child.kill('SIGKILL'), delayMs);
    child.on('error', reject);
    child.on('close', () => {
      clearTimeout(timer);
      resolve(out);
    });
  });
}

describe('record killed with SIGKILL, then recover', () => {
  const seed = Number(process.env.AUDITCAST_CRASH_SEED ?? Date.now() % 2 ** 31);
  console.log(`record crash test seed ${seed} (AUDITCAST_CRASH_SEED=${seed} repeats it)`);
  const random = mulberry32(seed);

  it(`loses at most the last ${FLUSH_MS} ms (+ slack) and leaves nothing behind, ${RUNS} random kills`, async () => {
    const data = join(tmp.dir, 'data');
    const env = { AUDITCAST_DATA_DIR: data };
    const kills: Killed[] = [];
    for (let i = 0; i < RUNS; i++) kills.push(await recordAndKill(data, Math.floor(random() * 2500)));

    const ls = await run(['ls'], { env });
    expect(ls.code).toBe(0);
    expect(ls.stdout.toString().match(/\babandoned\b/g)).toHaveLength(RUNS);
    expect(ls.stdout.toString()).not.toMatch(/in progress|recording/);

    // recover is a completer too: killed at a random moment, the next run finishes its work.
    const interrupted = await recoverAndKill(env, Math.floor(random() * 1500));
    const recovered = await run(['recover'], { env });
    // The kill may come after the first run finished every session: then the second has nothing to do.
    const finishedBeforeKill = [...interrupted.matchAll(/session [0-9a-f-]{36}: recovered/g)].length === RUNS;
    if (finishedBeforeKill) expect(recovered.stderr.toString()).toMatch(/^nothing to recover in \S+\n$/);
    else expect(recovered.stderr).toBe('');
    expect(recovered.code).toBe(0);
    const sids = [...(interrupted + recovered.stdout.toString()).matchAll(/session ([0-9a-f-]{36}): recovered/g)].map((m) => m[1]!);
    expect(sids, interrupted + recovered.stdout.toString()).toHaveLength(RUNS);

    expect(new Set(sids)).toEqual(new Set(kills.map((k) => k.sessionId)));

    // Each recovered recording reads to the end, holds no event twice and no gap, and only the
    // output of the last moments before its kill is missing.
    for (const { sessionId, seenAt, killedAt } of kills) {
      const json = await run(['export', sessionId, '-f', 'json'], { env });
      expect(json.code, json.stderr).toBe(0);
      const events = json.stdout.toString().trim().split('\n').map((l) => JSON.parse(l) as { event: string; ei: number });
      expect(events.filter((e) => e.event === 'session.start')).toHaveLength(1);
      expect(events.map((e) => e.ei)).toEqual(events.map((_, k) => k));
      const text = (await run(['export', sessionId, '-f', 'text'], { env })).stdout.toString();
      const lines = [...text.matchAll(/line(\d+)\r*\n/g)].map((m) => Number(m[1]));
      expect(lines).toEqual(lines.map((_, k) => k));
      const lost = [...seenAt.keys()].filter((n) => n >= lines.length);
      for (const n of lost) expect(killedAt - seenAt.get(n)!, `line${n} of ${sessionId} (seed ${seed})`).toBeLessThanOrEqual(FLUSH_MS + SLACK_MS);
    }

    // Nothing left: no upload dir, no owner file, no lock or temp file.
    expect(readdirSync(join(data, 'records', 'multi'))).toEqual([]);
    expect(readdirSync(join(data, 'records')).sort()).toEqual(['multi', ...sids.map((s) => `${s}.tar`)].sort());
    const again = await run(['recover'], { env });
    expect(again.code).toBe(0);
    expect(again.stderr).toMatch(/nothing to recover/);
  }, 400_000);
});
