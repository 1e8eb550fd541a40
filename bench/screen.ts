// Screen model and recording index benchmarks (issue 14 targets), on the real `build` corpus
// repeated (bulk terminal output):
//   1. the screen model vs the bare @xterm/headless emulator on the same bytes (MB/s, ratio);
//   2. indexing a large recording file end to end (read + decode + screen + keyframes + FTS),
//      in a child process of its own for its peak RSS (bench/index-child.mjs: needs dist/ built,
//      `npx tsc -p tsconfig.build.json`);
//   3. the screen at random times of that recording from its index;
//   4. grep over many indexed sessions (lines of the corpus, inserted as N sessions).
// Usage: node --expose-gc --import tsx bench/screen.ts [--quick] [--recording-mb N] [--part-kib N] [--sessions N] [--only model|index|grep]
//   (a 1 GB recording: --only index --recording-mb 1000 --part-kib 5120)
import { execFileSync } from 'node:child_process';
import { closeSync, mkdirSync, mkdtempSync, openSync, rmSync, statSync, writeSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import xtermHeadless from '@xterm/headless';
import { backend, codec } from '../lib/codec/index.js';
import type { AuditEvent } from '../lib/events/event.js';
import { RecordingIndex } from '../lib/index-store/recording-index.js';
import { TextIndex } from '../lib/index-store/text-index.js';
import { ScreenModel, type ScreenLine } from '../lib/screen/screen-model.js';
import { PART_HEADER_SIZE } from '../lib/codec/part-format.js';
import { bulkFixture } from './fixtures.js';

const args = process.argv.slice(2);
const option = (name: string, fallback: number) => {
  const i = args.indexOf(name);
  return i >= 0 ? Number(args[i + 1]) : fallback;
};
const quick = args.includes('--quick');
/** --only model|index|grep runs one part. */
const only = args.includes('--only') ? args[args.indexOf('--only') + 1] : undefined;
const runs = (part: string) => only === undefined || only === part;

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

/** A recording of `bytes` of output in parts of about `partBytes` compressed (record's file streamer: 128 KiB), written part by part. */
function writeRecording(file: string, bytes: number, partBytes: number): number {
  const fixture = bulkFixture(bytes);
  const fd = openSync(file, 'w');
  try {
    let encoder = codec.createPartEncoder();
    for (const batch of fixture.batches) {
      encoder.addChunk(codec.framePrints!(batch));
      if (PART_HEADER_SIZE + encoder.compressedBytes >= partBytes) {
        writeSync(fd, encoder.finish(0));
        encoder = codec.createPartEncoder();
      }
    }
    writeSync(fd, encoder.finish(0));
  } finally {
    closeSync(fd);
  }
  return statSync(file).size;
}

/** CPU time of this process (user + system), ms. */
function cpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

function modelVsBare(mb: number): void {
  const fixture = bulkFixture(mb * 1e6);
  const events = fixture.objects() as AuditEvent[];
  const bareRun = () => {
    const terminal = new xtermHeadless.Terminal({ cols: 80, rows: 24, scrollback: 0, allowProposedApi: true, logLevel: 'off' });
    const core = (terminal as unknown as { _core: { writeSync(d: Uint8Array): void } })._core;
    for (const e of events) core.writeSync(e.Data as Uint8Array);
    terminal.dispose();
  };
  let lines = 0;
  const modelRun = () => {
    const model = new ScreenModel({ cols: 80, rows: 24, onLine: () => lines++ });
    for (const e of events) model.apply(e);
    model.finish();
    model.dispose();
  };
  const timed = (run: () => void) => {
    globalThis.gc?.();
    const t0 = performance.now();
    const c0 = cpuMs();
    run();
    return { wall: performance.now() - t0, cpu: cpuMs() - c0 };
  };
  // One untimed run of each first (the JIT), then alternating rounds: the machine's load hits both alike.
  bareRun();
  modelRun();
  const rounds: { bare: { wall: number; cpu: number }; model: { wall: number; cpu: number } }[] = [];
  for (let round = 0; round < 5; round++) rounds.push({ bare: timed(bareRun), model: timed(modelRun) });
  const bare = median(rounds.map((r) => r.bare.wall));
  const model = median(rounds.map((r) => r.model.wall));
  const bareCpu = median(rounds.map((r) => r.bare.cpu));
  const modelCpu = median(rounds.map((r) => r.model.cpu));
  const ratios = rounds.map((r) => r.bare.wall / r.model.wall).sort((x, y) => x - y);
  const mbs = (ms: number) => (fixture.dataBytes / 1e6 / (ms / 1000)).toFixed(1);
  console.log(`screen model vs bare @xterm/headless, ${(fixture.dataBytes / 1e6).toFixed(1)} MB of the build corpus, ${lines / 6} lines (1 warm-up, then median of 5 alternating rounds; load average ${loadavg()[0]!.toFixed(1)}):`);
  console.log(`  bare emulator   ${mbs(bare)} MB/s wall, ${mbs(bareCpu)} MB/s of CPU time`);
  console.log(`  ScreenModel     ${mbs(model)} MB/s wall, ${mbs(modelCpu)} MB/s of CPU time  (${(bare / model).toFixed(2)}x the bare emulator wall, ${(bareCpu / modelCpu).toFixed(2)}x CPU; per round ${ratios.map((r) => r.toFixed(2)).join(' ')})`);
  console.log(`  per line: bare ${(bareCpu * 1000 / (lines / 6)).toFixed(2)} µs, model ${(modelCpu * 1000 / (lines / 6)).toFixed(2)} µs of CPU`);
}

async function screenAtTimes(file: string, dir: string, label: string): Promise<void> {
  const index = new RecordingIndex({ dir });
  const seek = await index.seekFile('big', file);
  const duration = seek.header.durationMs;
  await seek.close();
  const times: number[] = [];
  const cpu: number[] = [];
  for (let i = 0; i < 30; i++) {
    const t = Math.random() * duration;
    const t0 = performance.now();
    const c0 = cpuMs();
    await index.screenAt('big', file, t);
    times.push(performance.now() - t0);
    cpu.push(cpuMs() - c0);
  }
  await index.close();
  const sorted = [...times].sort((a, b) => a - b);
  const sortedCpu = [...cpu].sort((a, b) => a - b);
  console.log(`screen at a random time, ${label}, from the index (30 times; load average ${loadavg()[0]!.toFixed(1)}): median ${median(times).toFixed(1)} ms, p90 ${sorted[Math.floor(sorted.length * 0.9)]!.toFixed(1)} ms, max ${sorted[sorted.length - 1]!.toFixed(1)} ms wall; CPU time median ${median(cpu).toFixed(1)} ms, p90 ${sortedCpu[Math.floor(sortedCpu.length * 0.9)]!.toFixed(1)} ms, max ${sortedCpu[sortedCpu.length - 1]!.toFixed(1)} ms`);
}

async function grepMany(sessions: number, dir: string): Promise<void> {
  // The corpus lines, as the screen model hands them out, then stored as `sessions` sessions.
  const lines: ScreenLine[] = [];
  const model = new ScreenModel({ onLine: (l) => lines.push(l) });
  for (const e of bulkFixture(2e6).objects() as AuditEvent[]) model.apply(e);
  model.finish();
  model.dispose();
  mkdirSync(dir, { recursive: true });
  const text = TextIndex.open(dir);
  const t0 = performance.now();
  let bytes = 0;
  for (let s = 0; s < sessions; s++) {
    // The session start goes with each line, as the indexer passes it (it orders lines in time).
    const startMs = Date.UTC(2026, 0, 1) + s * 3_600_000;
    await text.replaceSession(`session-${s}`, { size: 0, mtimeMs: 0, tailHash: '' }, async (add) => {
      for (const line of lines) {
        add(line, startMs);
        bytes += line.text.length;
      }
      add({ text: `$ kubectl delete pod web-${s}`, timeMs: 1000 * s, eventIndex: 1 }, startMs);
      return { user: `user${s % 50}`, startMs };
    });
  }
  const loadS = (performance.now() - t0) / 1000;
  const fileMiB = statSync(join(dir, 'text.sqlite')).size / 2 ** 20;
  console.log(`grep over ${sessions} indexed sessions: ${(sessions * (lines.length + 1) / 1e6).toFixed(2)} M lines, ${(bytes / 1e6).toFixed(0)} MB of text, index ${fileMiB.toFixed(0)} MiB (inserted in ${loadS.toFixed(1)} s)`);
  const queries: [string, string][] = [
    ['rare phrase (one hit per session)', 'kubectl delete pod'],
    ['prefix', 'kubectl del*'],
    ['phrase on many lines', 'module to find differences'],
    ['word on most lines, first 100 by time', 'root'],
  ];
  for (const [what, q] of queries) {
    const times: number[] = [];
    let hits = 0;
    for (let i = 0; i < 5; i++) {
      const t = performance.now();
      hits = text.search(q, { limit: 100 }).length;
      times.push(performance.now() - t);
    }
    console.log(`  ${what.padEnd(40)} ${JSON.stringify(q).padEnd(30)} ${String(hits).padStart(4)} hits  median ${median(times).toFixed(1)} ms`);
  }
  text.close();
}

async function main(): Promise<void> {
  const tmp = mkdtempSync(join(tmpdir(), 'auditcast-bench-screen-'));
  try {
    console.log(`node ${process.version}, codec backend ${backend}${quick ? ', --quick' : ''}`);
    if (runs('model')) modelVsBare(option('--model-mb', quick ? 5 : 20));
    const mb = option('--recording-mb', quick ? 30 : 200);
    const partSizes = args.includes('--part-kib') ? [option('--part-kib', 5120)] : [128, 5120];
    for (const partKiB of runs('index') ? partSizes : []) {
      const file = join(tmp, `big-${partKiB}.tar`);
      const size = writeRecording(file, mb * 1e6, partKiB * 1024);
      const dir = join(tmp, `index-${partKiB}`);
      // In a process of its own, as `auditcast index` runs (compiled dist/, no TypeScript loader): its peak RSS.
      const out = execFileSync(process.execPath, [join(import.meta.dirname, 'index-child.mjs'), file, dir], { encoding: 'utf8', maxBuffer: 1 << 20, stdio: ['ignore', 'pipe', 'inherit'] });
      const r = JSON.parse(out) as { ms: number; cpuMs: number; maxRssMiB: number; outputBytes: number; keyframes: number; lines: number };
      const label = `${(size / 1e6).toFixed(0)} MB recording in ${partKiB} KiB parts (${(r.outputBytes / 1e6).toFixed(0)} MB of output)`;
      console.log(`index a ${label}: ${(r.ms / 1000).toFixed(1)} s (${(r.cpuMs / 1000).toFixed(1)} s CPU), ${(r.outputBytes / 1e6 / (r.ms / 1000)).toFixed(1)} MB/s of output (${(r.outputBytes / 1e6 / (r.cpuMs / 1000)).toFixed(1)} MB/s of CPU), ${r.keyframes} keyframes, ${r.lines} lines, peak RSS ${r.maxRssMiB.toFixed(0)} MiB; load average ${loadavg()[0]!.toFixed(1)}`);
      await screenAtTimes(file, dir, label);
      rmSync(file);
    }
    if (runs('grep')) await grepMany(option('--sessions', quick ? 100 : 1000), join(tmp, 'grep'));
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

await main();
