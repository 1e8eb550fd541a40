// User-path write benchmarks (issue 10): what a user's code gets when it records the way the README
// says, against raw zlib level 1 on the same bytes. Every driver's output is read back and checked
// before it is timed; times are the best of the timed runs (the machine is shared).
//   session-writer  SessionWriter.write(chunk) per PTY read -> ProtoStreamer -> MemoryUploader,
//                   native or JS backend, parallel compression on (default) or off
//   stream-events   ProtoStream.recordEvent per print object (no SessionWriter)
//   limit           zlib.gzipSync(level 1) of the terminal bytes, nothing else
//   interactive     SessionWriter.write of 1-byte prints, events/s
//   500 sessions    500 SessionWriters in a child process (dist/), events/s and its peak RSS
//   record/script   `auditcast record -- seq 1 N` against `script -c 'seq 1 N'`, whole processes
//   import          `auditcast import --from script` of a script capture, whole process, against
//                   a baseline checkout's (AUDITCAST_BENCH_BASELINE) when given
// Run alone: node --expose-gc --import tsx bench/user-write.ts [--quick] [--only-process | --only-interactive | --only-bulk]
import { performance } from 'node:perf_hooks';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import zlib from 'node:zlib';
import { codec as nativeCodec, jsCodec } from '../lib/codec/index.js';
import type { SliceCodec } from '../lib/codec/codec.js';
import { PRINT_FIELDS } from '../lib/codec/print-batch.js';
import { SessionWriter } from '../lib/emitters/session-writer.js';
import type { AuditEvent, AuditEventInput } from '../lib/events/event.js';
import { ProtoReader } from '../lib/stream/proto-reader.js';
import { ProtoStreamer } from '../lib/stream/proto-streamer.js';
import { MemoryUploader } from '../lib/uploads/memory-uploader.js';
import { SHARED, bulkFixture, interactiveFixture } from './fixtures.js';
// @ts-expect-error plain ESM module without types (also run as a child process)
import { manySessions } from './write-drivers.mjs';
import { type UserRow, alternate, bestOfWithCpu, printUserTable, processRows } from './user-path.js';

/** Ratio: bulk × raw gzip-1; interactive × the JS backend; processes: time × `script` or none. */
export type UserWriteRow = UserRow;

const ROOT = join(import.meta.dirname, '..');
const FIXED_NOW = new Date(Date.UTC(2026, 0, 1));
const round = (v: number, digits: number) => Math.round(v * 10 ** digits) / 10 ** digits;

function check(ok: boolean, what: string): void {
  if (!ok) throw new Error(`driver output check failed: ${what}`);
}

async function best(iterations: number, run: () => unknown): Promise<number> {
  let min = Infinity;
  for (let i = 0; i < iterations; i++) {
    (globalThis as { gc?: () => void }).gc?.();
    const started = process.hrtime.bigint();
    await run();
    min = Math.min(min, Number(process.hrtime.bigint() - started) / 1e6);
  }
  return min;
}

async function readPrints(recording: Buffer): Promise<{ events: AuditEvent[]; data: Buffer }> {
  const events = await new ProtoReader(recording).readAll();
  return { events, data: Buffer.concat(events.filter((e) => e.$type === 'SessionPrint').map((e) => e.Data as Uint8Array)) };
}

/** `parallel` undefined: the streamer's default (PARALLEL_COMPRESSION_DEFAULT). */
async function sessionWriterRecording(c: SliceCodec, parallel: boolean | undefined, writes: Uint8Array[], yieldEvery = 0): Promise<Buffer> {
  const uploader = new MemoryUploader();
  const writer = new SessionWriter({
    sessionId: 'bench', streamer: new ProtoStreamer({ uploader, codec: c, parallelCompression: parallel }), now: () => FIXED_NOW,
  });
  const resolved = writer.write(new Uint8Array(0));
  for (let i = 0; i < writes.length; i++) {
    const queued = writer.write(writes[i]);
    if (queued !== resolved) await queued;
    // PTY reads arrive from the event loop: let it turn now and then.
    if (yieldEvery && i % yieldEvery === yieldEvery - 1) await new Promise((r) => setImmediate(r));
  }
  await writer.complete();
  return uploader.download('bench');
}

async function streamEventsRecording(c: SliceCodec, parallel: boolean, objects: AuditEventInput[]): Promise<Buffer> {
  const uploader = new MemoryUploader();
  const stream = await new ProtoStreamer({ uploader, codec: c, parallelCompression: parallel }).createAuditStream('bench');
  for (const event of objects) await stream.recordEvent(event);
  await stream.complete();
  return uploader.download('bench');
}

function writesOf(data: Uint8Array, numbers: Float64Array): Uint8Array[] {
  const writes: Uint8Array[] = [];
  for (let n = 0, at = 0; n < numbers.length; n += PRINT_FIELDS) {
    writes.push(data.subarray(at, at + numbers[n]));
    at += numbers[n];
  }
  return writes;
}

async function bulk(quick: boolean, iterations: number, progress: (m: string) => void): Promise<UserWriteRow[]> {
  const fx = bulkFixture(quick ? 5e6 : 41e6);
  const fixture = `bulk ${(fx.dataBytes / 1e6).toFixed(0)} MB, ${fx.events} PTY reads`;
  const writes = writesOf(fx.batch.data, fx.batch.numbers);
  progress(`write bulk: checking drivers on ${fixture}`);
  const reference = await sessionWriterRecording(nativeCodec, false, writes);
  check((await readPrints(reference)).data.equals(fx.batch.data), 'SessionWriter recording does not read back as the written bytes');
  for (const [c, parallel] of [[nativeCodec, true], [jsCodec, false], [jsCodec, true]] as const) {
    check((await sessionWriterRecording(c, parallel, writes)).equals(reference), `SessionWriter ${c.backend} parallel=${parallel} differs`);
  }
  const objects = fx.objects();
  check((await readPrints(await streamEventsRecording(nativeCodec, true, objects))).data.equals(fx.batch.data), 'recordEvent recording');
  const drivers: [string, () => unknown][] = [
    ['limit (gzip-1 of the bytes)', () => zlib.gzipSync(fx.batch.data, { level: 1 })],
    ['session-writer native, parallel', () => sessionWriterRecording(nativeCodec, true, writes)],
    ['session-writer native, serial', () => sessionWriterRecording(nativeCodec, false, writes)],
    ['session-writer js, parallel', () => sessionWriterRecording(jsCodec, true, writes)],
    ['session-writer js, serial', () => sessionWriterRecording(jsCodec, false, writes)],
    ['stream-events native, parallel', () => streamEventsRecording(nativeCodec, true, objects)],
    ['stream-events native, serial', () => streamEventsRecording(nativeCodec, false, objects)],
    ['stream-events js, serial', () => streamEventsRecording(jsCodec, false, objects)],
  ];
  const rows: UserWriteRow[] = [];
  let limit: { ms: number; cpuMs: number } | null = null;
  for (const [driver, run] of drivers) {
    progress(`write bulk: ${driver}`);
    // CPU time counts every thread: a parallel driver's CPU ratio is its cost, its wall ratio its speed.
    const t = await bestOfWithCpu(iterations, run);
    limit ??= t;
    rows.push({
      op: 'write bulk', driver, fixture, value: round(fx.dataBytes / 1e6 / (t.ms / 1000), 1), unit: 'MB/s',
      ratio: round(limit.ms / t.ms, 2), cpuRatio: round(limit.cpuMs / t.cpuMs, 2),
    });
  }
  return rows;
}

async function interactive(quick: boolean, iterations: number, progress: (m: string) => void): Promise<UserWriteRow[]> {
  const fx = interactiveFixture(quick ? 100_000 : 1_000_000);
  const fixture = `interactive, ${fx.events} one-byte writes`;
  const bytes = Array.from({ length: 256 }, (_, b) => Uint8Array.of(b));
  const writes = Array.from(fx.batch.data, (b) => bytes[b]);
  progress(`write interactive: checking drivers on ${fixture}`);
  for (const c of [nativeCodec, jsCodec]) {
    const { events, data } = await readPrints(await sessionWriterRecording(c, undefined, writes, 1024));
    check(events.length === fx.events && data.equals(fx.batch.data), `interactive ${c.backend} recording`);
  }
  // The streamer as users get it (PARALLEL_COMPRESSION_DEFAULT: serial). Native and JS alternate, a warm-up round first; best wall time, best CPU time and the event loop's idle time (waits for
  // the pool or timers, as opposed to time the machine gave to other work) of the best wall run.
  const best: Record<string, { ms: number; cpuMs: number; idleMs: number }> = {};
  for (let round = 0; round <= iterations; round++) {
    for (const c of [nativeCodec, jsCodec]) {
      progress(`write interactive: session-writer ${c.backend}${round === 0 ? ' (warm-up)' : ''}`);
      (globalThis as { gc?: () => void }).gc?.();
      const elu = performance.eventLoopUtilization();
      const cpu = process.cpuUsage();
      const started = performance.now();
      await sessionWriterRecording(c, undefined, writes, 1024);
      const ms = performance.now() - started;
      const used = process.cpuUsage(cpu);
      const idleMs = performance.eventLoopUtilization(elu).idle;
      if (round === 0) continue;
      const prev = best[c.backend];
      const cpuMs = (used.user + used.system) / 1000;
      best[c.backend] = { ms: Math.min(prev?.ms ?? Infinity, ms), cpuMs: Math.min(prev?.cpuMs ?? Infinity, cpuMs), idleMs: !prev || ms < prev.ms ? idleMs : prev.idleMs };
    }
  }
  const rows: UserWriteRow[] = [];
  for (const c of [nativeCodec, jsCodec]) {
    const b = best[c.backend];
    rows.push({
      op: 'write interactive', driver: `session-writer ${c.backend} (event loop idle ${round(100 * b.idleMs / b.ms, 1)} %)`, fixture,
      value: Math.round(fx.events / (b.ms / 1000)), unit: 'events/s', ratio: round(best.js.ms / b.ms, 2), cpuRatio: round(best.js.cpuMs / b.cpuMs, 2),
    });
    rows.push({
      op: 'write interactive', driver: `session-writer ${c.backend}, per CPU second`, fixture,
      value: Math.round(fx.events / (b.cpuMs / 1000)), unit: 'events/s', ratio: null,
    });
  }
  return rows;
}

/** Runs `argv` through sh (a fresh maxRSS, see bench/run.ts peakRss) and parses its last stdout line. */
function child(argv: string[], env: NodeJS.ProcessEnv = {}): Record<string, number | string> {
  const run = spawnSync('/bin/sh', ['-c', '"$@"; exit $?', 'sh', ...argv], { encoding: 'utf8', maxBuffer: 1 << 20, env: { ...process.env, ...env } });
  if (run.status !== 0) throw new Error(`${argv.join(' ')}: ${(run.stderr || `exit ${run.status}`).trim().split('\n').slice(-3).join(' ')}`);
  return JSON.parse(run.stdout.trim().split('\n').pop()!);
}

function ensureDist(): void {
  const built = join(ROOT, 'dist', 'cli', 'main.js');
  const newest = (dir: string): number => readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile()).reduce((m, e) => Math.max(m, statSync(join(e.parentPath, e.name)).mtimeMs), 0);
  if (!existsSync(built) || newest(join(ROOT, 'lib')) > statSync(built).mtimeMs) {
    execFileSync(process.execPath, [join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', join(ROOT, 'tsconfig.build.json')]);
  }
}

async function sessions(quick: boolean, progress: (m: string) => void): Promise<UserWriteRow[]> {
  const count = 500;
  // Issue 10: 50 KiB of one-byte prints per session (the quick run: 4 KiB). Parts of 128 KiB, as a
  // server recording to local disk writes them: with S3's 5 MiB parts every session's compressed
  // output (~10 bytes a keystroke, 265 MB in all) stays in memory until the sessions end.
  const bytesPerSession = quick ? 4096 : 50 * 1024;
  const partBytes = 128 * 1024;
  const fixture = `${count} sessions x ${bytesPerSession} one-byte writes, 128 KiB parts`;
  progress('500 sessions: checking the driver');
  const typing = readFileSync(join(SHARED, 'corpus', 'typing.typescript'));
  const text = typing.subarray(typing.indexOf(0x0a) + 1);
  const uploader = new MemoryUploader();
  const small = await manySessions({ SessionWriter, ProtoStreamer }, { sessions: 3, bytesPerSession: 5000, text, uploader, minUploadBytes: 1024 });
  for (const sid of small.sessionIds) {
    const { data } = await readPrints(await uploader.download(sid));
    check(data.equals(Buffer.from(Array.from({ length: 5000 }, (_, i) => text[i % text.length]))), 'many-sessions recording');
  }
  const rows: UserWriteRow[] = [];
  for (const [backendName, forceJs] of [['native', '0'], ['js', '1']]) {
    progress(`500 sessions: ${backendName} (child process)`);
    const r = child([process.execPath, join(import.meta.dirname, 'many-sessions-child.mjs'), String(count), String(bytesPerSession), String(partBytes)], { AUDITCAST_FORCE_JS: forceJs });
    check(r.backend === backendName && r.lost === 0, `many sessions ${backendName}: ${JSON.stringify(r)}`);
    rows.push({ op: 'write 500 sessions', driver: `session-writer ${backendName}`, fixture, value: r.eventsPerS as number, unit: 'events/s', ratio: null });
    rows.push({ op: 'write 500 sessions', driver: `session-writer ${backendName}, per CPU second`, fixture, value: r.eventsPerCpuS as number, unit: 'events/s', ratio: null });
    rows.push({ op: 'write 500 sessions', driver: `session-writer ${backendName}, peak RSS`, fixture, value: r.peakRssMiB as number, unit: 'MiB', ratio: null });
  }
  return rows;
}

function timeProcess(argv: string[], options: { cwd?: string } = {}): number {
  const started = process.hrtime.bigint();
  const run = spawnSync(argv[0], argv.slice(1), { stdio: ['ignore', 'ignore', 'pipe'], cwd: options.cwd, encoding: 'utf8' });
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  if (run.status !== 0) throw new Error(`${argv.join(' ')}: exit ${run.status}: ${run.stderr.trim().split('\n').slice(-2).join(' ')}`);
  return ms;
}

async function processes(quick: boolean, iterations: number, progress: (m: string) => void): Promise<UserWriteRow[]> {
  const dir = mkdtempSync(join(tmpdir(), 'auditcast-user-write-'));
  const cli = join(ROOT, 'bin', 'auditcast.js');
  const rows: UserWriteRow[] = [];
  try {
    const n = quick ? 200_000 : 2_000_000;
    const command = `seq 1 ${n}`;
    const lastLine = Buffer.from(`\n${n}\r\n`);
    progress(`record vs script: checking on ${command}`);
    const typescript = join(dir, 'seq.typescript');
    let dataDir = join(dir, 'data-check');
    const scriptRun = () => timeProcess(['script', '-q', '-e', '-c', command, typescript]);
    const recordRun = () => timeProcess([process.execPath, cli, 'record', '--data-dir', dataDir, '--', 'seq', '1', String(n)]);
    // record hands indexing to a detached low-priority process; `index SESSION` waits for it (or
    // does it), so each run is followed by the time until grep has the session, and the next run
    // does not share the CPU with the last one's indexer.
    const indexRun = () => {
      const tar = readdirSync(join(dataDir, 'records')).find((f) => f.endsWith('.tar'))!;
      return timeProcess([process.execPath, cli, 'index', '--data-dir', dataDir, tar.slice(0, -4)]);
    };
    scriptRun();
    check(readFileSync(typescript).includes(lastLine), 'script output');
    recordRun();
    indexRun();
    const records = join(dataDir, 'records');
    const tar = readdirSync(records).find((f) => f.endsWith('.tar'));
    check(tar !== undefined && (await readPrints(readFileSync(join(records, tar)))).data.includes(lastLine), 'record output');
    let scriptMs = Infinity;
    let recordMs = Infinity;
    let indexedMs = Infinity;
    for (let i = 0; i < iterations; i++) {
      progress(`record vs script: run ${i + 1} of ${iterations}`);
      scriptMs = Math.min(scriptMs, scriptRun());
      dataDir = join(dir, `data-${i}`);
      const ms = recordRun();
      recordMs = Math.min(recordMs, ms);
      indexedMs = Math.min(indexedMs, ms + indexRun());
    }
    const fixture = `\`${command}\` into a file`;
    rows.push({ op: 'process', driver: 'script -c', fixture, value: round(scriptMs / 1000, 2), unit: 's', ratio: 1 });
    rows.push({ op: 'process', driver: 'auditcast record (exit; indexing left running in the background)', fixture, value: round(recordMs / 1000, 2), unit: 's', ratio: round(recordMs / scriptMs, 2) });
    rows.push({ op: 'process', driver: 'auditcast record, until grep has the session indexed', fixture, value: round(indexedMs / 1000, 2), unit: 's', ratio: round(indexedMs / scriptMs, 2) });

    // import: a script -T capture of the bulk fixture.
    const fx = bulkFixture(quick ? 5e6 : 41e6);
    const timing: string[] = [];
    for (let k = 0; k < fx.batch.numbers.length; k += PRINT_FIELDS) timing.push(`0.001 ${fx.batch.numbers[k]}`);
    writeFileSync(join(dir, 'cap.timing'), `${timing.join('\n')}\n`);
    writeFileSync(join(dir, 'cap.typescript'), Buffer.concat([Buffer.from('Script started on 2026-01-01 00:00:00+00:00 [COMMAND="build"]\n'), fx.batch.data]));
    const out = join(dir, 'import.tar');
    const importers: [string, string][] = [['auditcast import --from script (this checkout)', cli]];
    const baseline = process.env.AUDITCAST_BENCH_BASELINE;
    if (baseline && existsSync(join(baseline, 'dist', 'cli', 'main.js'))) importers.push(['auditcast import --from script (baseline checkout)', join(baseline, 'bin', 'auditcast.js')]);
    const importRun = (bin: string) => {
      rmSync(out, { force: true });
      return timeProcess([process.execPath, bin, 'import', '--from', 'script', join(dir, 'cap.timing'), join(dir, 'cap.typescript'), '--out', out]);
    };
    progress('import: checking');
    let recording: Buffer | null = null;
    for (const [name, bin] of importers) {
      importRun(bin);
      const written = readFileSync(out);
      check((await readPrints(written)).data.equals(fx.batch.data), `${name} output`);
      // Recordings stay byte-identical from release to release.
      check(recording === null || written.equals(recording), `${name} wrote other bytes than this checkout`);
      recording ??= written;
    }
    const times = await alternate(importers.map(([name, bin]) => () => {
      progress(`import: ${name}`);
      importRun(bin);
    }), iterations);
    const limitMs = await best(iterations, () => zlib.gzipSync(fx.batch.data, { level: 1 }));
    const capture = `script capture, ${(fx.dataBytes / 1e6).toFixed(0)} MB`;
    rows.push({ op: 'process', driver: 'gzip-1 of the same bytes (in-process, for scale)', fixture: capture, value: round(limitMs / 1000, 2), unit: 's', ratio: null });
    // ratio: the baseline's time over this checkout's (the speed-up), by wall and by CPU time.
    rows.push(...processRows(importers.map(([name]) => name), times, capture));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return rows;
}

export async function userWriteRows(options: { quick: boolean; progress?: (message: string) => void }): Promise<UserWriteRow[]> {
  const progress = options.progress ?? (() => {});
  const iterations = options.quick ? 1 : 3;
  ensureDist();
  if (process.argv.includes('--only-process')) return processes(options.quick, iterations, progress);
  if (process.argv.includes('--only-bulk')) return bulk(options.quick, iterations, progress);
  if (process.argv.includes('--only-interactive')) return [...(await interactive(options.quick, iterations, progress)), ...(await sessions(options.quick, progress))];
  return [
    ...(await bulk(options.quick, iterations, progress)),
    ...(await interactive(options.quick, iterations, progress)),
    ...(await sessions(options.quick, progress)),
    ...(await processes(options.quick, iterations, progress)),
  ];
}


if (process.argv[1] && import.meta.filename === process.argv[1]) {
  const quick = process.argv.includes('--quick');
  const started = Date.now();
  const rows = await userWriteRows({ quick, progress: (m) => process.stderr.write(`[${((Date.now() - started) / 1000).toFixed(0)}s] ${m}\n`) });
  printUserTable(rows);
  console.log(`\n(${new Date().toISOString()}, ${((Date.now() - started) / 1000).toFixed(0)} s; ratio: bulk × gzip-1, interactive × JS backend, process × script)`);
}
