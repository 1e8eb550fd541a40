// Crash test: a child process records a long session into a FileUploader dir and is SIGKILLed
// mid-stream; a new process then completes the upload (UploadCompleter) or resumes it and sends
// the rest. Every event up to the last acknowledged part must be there, none twice, and the file
// must read cleanly. AUDITCAST_CRASH_RUNS sets the number of runs (default 4; 20 when measuring).
import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ProtoReader } from '../../lib/stream/proto-reader.js';
import { FileUploader } from '../../lib/uploads/file-uploader.js';
import { generateTestSession } from '../helpers/generate-session.js';
import { expectSameEvents } from '../helpers/normalize.js';

const CHILD = fileURLToPath(new URL('./crash-child.ts', import.meta.url));
const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const RUNS = Number(process.env.AUDITCAST_CRASH_RUNS ?? 4);
const PRINTS = 6000;

function startChild(args: string[]): { child: ChildProcess; lines: AsyncGenerator<string> } {
  const child = spawn(process.execPath, ['--import', 'tsx', CHILD, ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => { stderr += d.toString(); });
  child.on('exit', (code, signal) => {
    if (code && code !== 0) process.stderr.write(`crash-child ${args[0]} exited ${code} ${signal}: ${stderr}\n`);
  });
  async function* lines() {
    let buffered = '';
    for await (const chunk of child.stdout!) {
      buffered += (chunk as Buffer).toString();
      let nl: number;
      while ((nl = buffered.indexOf('\n')) >= 0) {
        yield buffered.slice(0, nl);
        buffered = buffered.slice(nl + 1);
      }
    }
  }
  return { child, lines: lines() };
}

async function runToEnd(args: string[]): Promise<string[]> {
  const { child, lines } = startChild(args);
  const out: string[] = [];
  for await (const line of lines) out.push(line);
  const code = await new Promise<number | null>((resolve) => {
    if (child.exitCode !== null) resolve(child.exitCode);
    else child.on('exit', (c) => resolve(c));
  });
  expect(code).toBe(0);
  return out;
}

export interface CrashRunReport {
  run: number;
  mode: 'complete' | 'resume';
  killAfterAck: number;
  lastAck: number;
  eventsRead: number;
  skipped: number;
}

async function crashRun(run: number, mode: 'complete' | 'resume'): Promise<CrashRunReport> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'auditcast-crash-'));
  try {
    const sid = randomUUID();
    const serverId = randomUUID();
    const events = generateTestSession({ printEvents: PRINTS, sessionId: sid, serverId });
    // Kill somewhere between 5% and 85% of the session, differently each run.
    const killAfterAck = Math.floor(PRINTS * (0.05 + 0.8 * Math.random()));
    const { child, lines } = startChild(['record', dir, sid, serverId, String(PRINTS)]);
    let lastAck = -1;
    for await (const line of lines) {
      if (line === 'recorded-all') throw new Error(`run ${run}: the recorder finished before the kill (ack ${lastAck})`);
      const m = /^ack (\d+)$/.exec(line);
      if (!m) continue;
      lastAck = Number(m[1]);
      if (lastAck >= killAfterAck) {
        // A random few ms more, so the kill lands anywhere: mid-part, mid-write, mid-rename.
        await new Promise((r) => setTimeout(r, Math.random() * 8));
        child.kill('SIGKILL');
        break;
      }
    }
    await new Promise<void>((resolve) => (child.exitCode !== null || child.signalCode !== null ? resolve() : child.on('exit', () => resolve())));
    expect(child.signalCode).toBe('SIGKILL');
    expect(lastAck).toBeGreaterThanOrEqual(0);

    if (mode === 'complete') {
      expect(await runToEnd(['complete', dir])).toEqual(['completed 1 errors 0']);
    } else {
      expect(await runToEnd(['resume', dir, sid, serverId, String(PRINTS), String(lastAck)])).toEqual(['resumed']);
    }

    const uploader = new FileUploader({ directory: dir });
    const reader = new ProtoReader(await uploader.downloadStream(sid));
    const out = await reader.readAll(); // throws if the file does not read cleanly
    expect(reader.stats.outOfOrderEvents).toBe(0);
    // Nothing twice: indexes strictly increase by one from 0.
    out.forEach((event, i) => expect(event.Metadata.Index).toBe(i));
    if (mode === 'complete') {
      // Everything acknowledged is there; what follows the last ack may be there too (a part
      // written but not yet acknowledged when the kill came), never more than was recorded.
      expect(out.length).toBeGreaterThan(lastAck);
      expect(reader.stats.skippedEvents).toBe(0);
      expectSameEvents(out, events.slice(0, out.length), expect);
    } else {
      expectSameEvents(out, events, expect);
    }
    // The upload is gone and nothing (locks, temp files, reservations) is left in multi/.
    expect(await uploader.listUploads()).toEqual([]);
    expect(await fs.readdir(path.join(dir, 'multi'))).toEqual([]);
    return { run, mode, killAfterAck, lastAck, eventsRead: out.length, skipped: reader.stats.skippedEvents };
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
}

describe('crash: SIGKILL while recording, then complete or resume in a new process', () => {
  const reports: CrashRunReport[] = [];
  for (let run = 1; run <= RUNS; run++) {
    const mode = run % 2 === 1 ? 'complete' : 'resume';
    it(`run ${run} (${mode})`, async () => {
      reports.push(await crashRun(run, mode));
    }, 120_000);
  }
  it('report', () => {
    if (process.env.AUDITCAST_CRASH_REPORT) {
      for (const r of reports) process.stdout.write(`crash ${JSON.stringify(r)}\n`);
    }
    expect(reports.length).toBe(RUNS);
  });
});
