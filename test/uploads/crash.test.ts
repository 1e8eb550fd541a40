// Crash test: a child process records a long session into a FileUploader dir and is SIGKILLed
// mid-stream; a new process then completes the upload (UploadCompleter) or resumes it and sends
// the rest. Third mode: the async uploader is killed mid-upload and a new one resumes from the
// checkpoint. Every event up to the last acknowledged part must be there, none twice, and the file
// must read cleanly. AUDITCAST_CRASH_RUNS sets the number of runs (default 3, one per mode; 20 when measuring).
import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ProtoReader } from '../../lib/stream/proto-reader.js';
import { parseCheckpoint } from '../../lib/uploads/checkpoint.js';
import { newFileStreamer } from '../../lib/uploads/file-streamer.js';
import { FileUploader } from '../../lib/uploads/file-uploader.js';
import { generateTestSession } from '../helpers/generate-session.js';
import { expectSameEvents } from '../helpers/normalize.js';
import { seededRandom } from '../helpers/seeded-random.js';

// Where each run kills the recorder (and a few ms more of timing) comes from a logged seed.
const { random } = seededRandom('crash');

const CHILD = fileURLToPath(new URL('./crash-child.ts', import.meta.url));
const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const RUNS = Number(process.env.AUDITCAST_CRASH_RUNS ?? 3);
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
  mode: Mode;
  killAfterAck: number;
  lastAck: number;
  eventsRead: number;
  skipped: number;
}

type Mode = 'complete' | 'resume' | 'async';

async function crashRun(run: number, mode: Mode): Promise<CrashRunReport> {
  if (mode === 'async') return asyncCrashRun(run);
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'auditcast-crash-'));
  let recorder: ChildProcess | undefined;
  try {
    const sid = randomUUID();
    const serverId = randomUUID();
    const events = generateTestSession({ printEvents: PRINTS, sessionId: sid, serverId });
    // Kill somewhere between 5% and 85% of the session, differently each run.
    const killAfterAck = Math.floor(PRINTS * (0.05 + 0.8 * random()));
    const { child, lines } = startChild(['record', dir, sid, serverId, String(PRINTS)]);
    recorder = child;
    let lastAck = -1;
    for await (const line of lines) {
      if (line === 'recorded-all') throw new Error(`run ${run}: the recorder finished before the kill (ack ${lastAck})`);
      const m = /^ack (\d+)$/.exec(line);
      if (!m) continue;
      lastAck = Number(m[1]);
      if (lastAck >= killAfterAck) {
        // A random few ms more, so the kill lands anywhere: mid-part, mid-write, mid-rename.
        await new Promise((r) => setTimeout(r, random() * 8));
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
    await killAndWait(recorder);
    await fs.rm(dir, { recursive: true, force: true });
  }
}

/**
 * The async uploader killed mid-upload: a local recording is being sent upstream (a FileUploader
 * dir) when the uploading process dies; the next process finds the checkpoint and resumes.
 */
async function asyncCrashRun(run: number): Promise<CrashRunReport> {
  const root = await fs.mkdtemp(path.join(os.tmpdir(), 'auditcast-async-crash-'));
  let first: ChildProcess | undefined;
  try {
    const scanDir = path.join(root, 'streaming', 'default');
    const corruptedDir = path.join(root, 'corrupted', 'default');
    const upstreamDir = path.join(root, 'records');
    const events = generateTestSession({ printEvents: PRINTS });
    const sid = (events[0]!.Session as { SessionID: string }).SessionID;
    const { streamer } = newFileStreamer({ directory: scanDir });
    const local = await streamer.createAuditStream(sid);
    for (const event of events) await local.recordEvent(event);
    await local.complete();

    const killAfterAck = Math.floor(PRINTS * (0.05 + 0.8 * random()));
    const checkpointFile = path.join(scanDir, `${sid}.checkpoint`);
    const { child, lines } = startChild(['async', scanDir, corruptedDir, upstreamDir]);
    first = child;
    const drained = (async () => { for await (const _ of lines) { /* drain stdout */ } })();
    let lastAck = -1;
    while (child.exitCode === null && child.signalCode === null) {
      const text = await fs.readFile(checkpointFile, 'utf8').catch(() => '');
      let status = null;
      try {
        status = parseCheckpoint(text);
      } catch {
        // A read racing the child's rewrite can be torn; the uploader itself never reads it mid-write.
      }
      if (status) lastAck = Math.max(lastAck, status.lastEventIndex);
      if (lastAck >= killAfterAck) {
        await new Promise((r) => setTimeout(r, random() * 8));
        child.kill('SIGKILL');
        break;
      }
      await new Promise((r) => setTimeout(r, 1));
    }
    await new Promise<void>((resolve) => (child.exitCode !== null || child.signalCode !== null ? resolve() : child.on('exit', () => resolve())));
    await drained;
    expect(child.signalCode).toBe('SIGKILL');
    // The local recording survives the crash: it was not fully uploaded.
    await expect(fs.stat(path.join(scanDir, `${sid}.tar`))).resolves.toBeTruthy();

    const out2 = await runToEnd(['async', scanDir, corruptedDir, upstreamDir]);
    expect(out2).toEqual(['started 1', 'uploaded resumed=1 created=0']);
    expect((await fs.readdir(scanDir)).filter((n) => /\.(tar|checkpoint|error)$/.test(n))).toEqual([]);

    const reader = new ProtoReader(await new FileUploader({ directory: upstreamDir }).downloadStream(sid));
    const out = await reader.readAll();
    expect(reader.stats.outOfOrderEvents).toBe(0);
    out.forEach((event, i) => expect(event.Metadata.Index).toBe(i));
    expectSameEvents(out, events, expect);
    return { run, mode: 'async', killAfterAck, lastAck, eventsRead: out.length, skipped: reader.stats.skippedEvents };
  } finally {
    await killAndWait(first);
    await fs.rm(root, { recursive: true, force: true });
  }
}

/** Never leave a child running behind a failed assertion (it would write into the dir being removed). */
async function killAndWait(child: ChildProcess | undefined): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  child.kill('SIGKILL');
  await exited;
}

describe('crash: SIGKILL while recording or uploading, then complete or resume in a new process', () => {
  const reports: CrashRunReport[] = [];
  const modes: Mode[] = ['complete', 'resume', 'async'];
  for (let run = 1; run <= RUNS; run++) {
    const mode = modes[(run - 1) % modes.length]!;
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
