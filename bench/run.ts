// npm run bench [-- --json] [-- --quick] [-- --no-rss] [-- --user-only]
// Codec and stream benchmarks on the real corpus, drivers side by side (see drivers.ts), each
// driver's output checked before it is timed. Prints MB/s (framed record bytes, the payload that
// gets compressed), events/s and the ratio to the limit driver, plus the sync/async cut-off of
// addChunkAsync and the peak RSS of reading a >= 1 GiB recording (child process).
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Bench } from 'tinybench';
import { backend, codec, jsCodec, nativeUnavailableReason } from '../lib/codec/index.js';
import type { SliceCodec } from '../lib/codec/codec.js';
import {
  type Written, naiveObjects, rawParts, readCodec, readRecords, readLimit, readNaive, readStream, writeCodec, writeLimit, writeNaive, writeStreamBatches,
  writeParallel, writeStream, writeSessionWriter,
} from './drivers.js';
import { type PrintFixture, bulkFixture, interactiveFixture } from './fixtures.js';
import { measureCutoff } from './cutoff.js';
import { type UserRow, printUserTable } from './user-path.js';
import { userReadRows } from './user-read.js';
import { userWriteRows } from './user-write.js';

const args = new Set(process.argv.slice(2));
const json = args.has('--json');
const quick = args.has('--quick');
const userOnly = args.has('--user-only');
const log = (text: string) => {
  if (!json) console.log(text);
};
const startedMs = Date.now();
// On stderr, so it shows on a pipe and with --json too.
/** Timed runs of one driver stop once they would pass this (the full run then takes minutes, not tens). */
const DRIVER_BUDGET_MS = quick ? 2_000 : 8_000;
const progress = (message: string) => process.stderr.write(`[${((Date.now() - startedMs) / 1000).toFixed(0)} s] ${message}\n`);

if (backend !== 'native') {
  console.error(`native addon not loaded (${nativeUnavailableReason}); build it with npm run build:native`);
  process.exit(1);
}
const native: SliceCodec = codec;

interface Row {
  op: string;
  fixture: string;
  driver: string;
  ms: number;
  mbPerS: number;
  eventsPerS: number;
  ratioToLimit: number | null;
  note?: string;
}

const rows: Row[] = [];
const hash = (parts: Uint8Array[]) => {
  const h = createHash('sha256');
  for (const p of parts) h.update(p);
  return h.digest('hex');
};
function check(ok: boolean, what: string): void {
  if (!ok) throw new Error(`driver output check failed: ${what}`);
}

/**
 * Times each task with tinybench, one task at a time, with a progress line per task. A task gets
 * `iterations` timed runs after one warm-up, fewer when its warm-up says they would not fit in
 * DRIVER_BUDGET_MS (at least one): the slowest drivers (naive read of a million events: ~9 s a
 * run) would otherwise hold the full run for minutes. The best (least) time is kept.
 */
async function time(label: string, tasks: Record<string, () => unknown>, iterations: number): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const [name, fn] of Object.entries(tasks)) {
    const warmStarted = performance.now();
    await fn();
    const warmMs = performance.now() - warmStarted;
    const runs = Math.max(1, Math.min(iterations, Math.floor(DRIVER_BUDGET_MS / Math.max(warmMs, 1))));
    progress(`${label}: ${name} (${runs} run${runs === 1 ? '' : 's'} of ~${(warmMs / 1000).toFixed(1)} s)`);
    const bench = new Bench({ iterations: runs, time: 0, warmup: false });
    bench.add(name, fn as () => Promise<void>);
    await bench.run();
    const r = bench.tasks[0].result as { state: string; latency?: { min: number }; error?: Error };
    if (r.state !== 'completed' || !r.latency) throw new Error(`task ${name} ${r.state}: ${r.error?.message ?? ''}`);
    out[name] = r.latency.min;
  }
  return out;
}

function record(op: string, fx: PrintFixture, payloadBytes: number, times: Record<string, number>): void {
  const limit = times.limit;
  for (const [driver, ms] of Object.entries(times)) {
    rows.push({
      op,
      fixture: fx.name,
      driver,
      ms: round(ms, 1),
      mbPerS: round(payloadBytes / 1e6 / (ms / 1000), 1),
      eventsPerS: Math.round(fx.events / (ms / 1000)),
      ratioToLimit: limit ? round(limit / ms, 2) : null,
    });
  }
}

const round = (v: number, digits: number) => Math.round(v * 10 ** digits) / 10 ** digits;

async function benchFixture(fx: PrintFixture, iterations: number): Promise<void> {
  log(`\n# fixture ${fx.name}: ${fx.events} print events, ${(fx.dataBytes / 1e6).toFixed(1)} MB of terminal data`);
  progress(`codec ${fx.name}: checking every driver's output`);
  // Reference outputs, checked before timing.
  const ref: Written = writeCodec(native, fx);
  const raw = rawParts(native, fx, ref.partBatches);
  const payload = raw.reduce((n, r) => n + r.length, 0);
  const recording = Buffer.concat(ref.parts);
  log(`  ${ref.parts.length} parts, ${(payload / 1e6).toFixed(1)} MB framed records -> ${(recording.length / 1e6).toFixed(1)} MB recording`);
  check(hash(writeCodec(jsCodec, fx).parts) === hash(ref.parts), 'js parts differ from native parts');
  check(hash(await writeParallel(native, fx, ref.partBatches)) === hash(ref.parts), 'parallel parts differ');
  const limitParts = writeLimit(raw);
  check(readLimit(limitParts) === payload, 'limit parts do not inflate to the payload');
  let objects = fx.objects();
  let naive = naiveObjects(objects, fx, ref.partBatches);
  const naiveParts = writeNaive(naive);
  const expected = { events: fx.events, dataBytes: fx.dataBytes };
  const same = (r: { events: number; dataBytes: number }) => r.events === expected.events && r.dataBytes === expected.dataBytes;
  check(same(readCodec(native, naiveParts)), 'naive parts do not decode to the fixture');
  const streamed = await writeStream(native, objects);
  check(same(await readStream(native, streamed)), 'stream recording does not decode to the fixture');
  const batched = await writeStreamBatches(native, fx);
  check(batched.equals(streamed), 'recordPrintBatch recording differs from the recordEvent one');
  check((await writeStreamBatches(jsCodec, fx)).equals(streamed), 'js recordPrintBatch recording differs');
  check(same(await readStream(native, await writeSessionWriter(native, fx))), 'SessionWriter recording does not decode to the fixture');
  check(same(readCodec(native, ref.parts)) && same(readCodec(jsCodec, ref.parts)) && same(readNaive(ref.parts)), 'read drivers');
  check(readLimit(ref.parts) === payload, 'limit read');

  const writeTimes = await time(`codec write ${fx.name}`, {
    native: () => writeCodec(native, fx),
    'native-par2': () => writeParallel(native, fx, ref.partBatches, 2),
    js: () => writeCodec(jsCodec, fx),
    'native-stream': () => writeStream(native, objects),
    'js-stream': () => writeStream(jsCodec, objects),
    'native-stream-batch': () => writeStreamBatches(native, fx),
    'native-session-writer': () => writeSessionWriter(native, fx),
    'js-session-writer': () => writeSessionWriter(jsCodec, fx),
    'js-stream-batch': () => writeStreamBatches(jsCodec, fx),
    naive: () => writeNaive(naive),
    limit: () => writeLimit(raw),
  }, iterations);
  record('write', fx, payload, writeTimes);

  check(same(readRecords(native, ref.parts)) && same(readRecords(jsCodec, ref.parts)), 'records read drivers');
  check(same(readCodec(native, ref.parts, true)) && same(await readStream(native, recording, false)), 'view read drivers');
  // The write drivers' million event objects would otherwise stay alive through the read timings.
  objects = [];
  naive = naiveObjects([], fx, []);
  (globalThis as { gc?: () => void }).gc?.();
  const readTimes = await time(`codec read ${fx.name}`, {
    'native-records': () => readRecords(native, ref.parts),
    'js-records': () => readRecords(jsCodec, ref.parts),
    native: () => readCodec(native, ref.parts),
    'native-views': () => readCodec(native, ref.parts, true),
    js: () => readCodec(jsCodec, ref.parts),
    'native-stream': () => readStream(native, recording),
    'native-stream-views': () => readStream(native, recording, false),
    'js-stream': () => readStream(jsCodec, recording),
    naive: () => readNaive(ref.parts),
    limit: () => readLimit(ref.parts),
  }, iterations);
  record('read', fx, payload, readTimes);
}

function peakRss(): Record<string, unknown> {
  // The reader runs on dist/ (no TS loader in the measured process): rebuild it when lib/ is newer.
  const root = join(import.meta.dirname, '..');
  const built = join(root, 'dist', 'stream', 'index.js');
  if (!existsSync(built) || newestMtime(join(root, 'lib')) > statSync(built).mtimeMs) {
    execFileSync(process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', join(root, 'tsconfig.build.json')]);
  }
  const dir = mkdtempSync(join(tmpdir(), 'auditcast-rss-'));
  const file = join(dir, 'recording.tar');
  // Through sh, which forks the child: a child forked straight from this process starts with this
  // process's (large) RSS as its maxRSS, because Linux keeps the high-water mark across exec.
  const run = (...argv: string[]) => spawnSync('/bin/sh', ['-c', '"$@"; exit $?', 'sh', process.execPath, ...argv], {
    encoding: 'utf8',
    maxBuffer: 1 << 20,
  });
  try {
    const write = run('--import', 'tsx', join(import.meta.dirname, 'rss-child.ts'), '--write', file, String(quick ? 256 << 20 : 1024 << 20));
    if (write.status !== 0) return { error: (write.stderr || `exit ${write.status}`).trim().split('\n').slice(-3).join(' ') };
    const out: Record<string, unknown> = {};
    for (const [name, forceJs, mode] of [['native', '0', 'copy'], ['native-views', '0', 'views'], ['js', '1', 'copy']]) {
      process.env.AUDITCAST_FORCE_JS = forceJs;
      const read = run(join(import.meta.dirname, 'rss-read.mjs'), file, mode);
      out[name] = read.status === 0
        ? JSON.parse(read.stdout.trim().split('\n').pop()!)
        : { error: (read.stderr || `exit ${read.status}`).trim().split('\n').slice(-3).join(' ') };
    }
    delete process.env.AUDITCAST_FORCE_JS;
    return out;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) newest = Math.max(newest, statSync(join(entry.parentPath, entry.name)).mtimeMs);
  }
  return newest;
}

const started = new Date();
const meta = {
  date: started.toISOString(),
  node: process.version,
  zlib: process.versions.zlib,
  cpu: `${cpus()[0]?.model ?? 'unknown'} x${cpus().length}`,
  command: `npm run bench${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(' ')}` : ''}`,
  note: 'MB/s = framed record bytes (4-byte length + OneOf) per second; best (min) of the timed iterations, because the machine is shared and wall time is noisy',
};
log(`auditcast bench  ${meta.date}  node ${meta.node} (zlib ${meta.zlib})  ${meta.cpu}`);

log(quick ? 'quick run (under a minute)' : 'full run: takes about 10 minutes on 2 shared cores (--quick: under a minute)');
const iterations = quick ? 2 : 5;
let cutoff: Awaited<ReturnType<typeof measureCutoff>> | null = null;
if (!userOnly) {
  progress('codec: bulk fixture');
  await benchFixture(bulkFixture(quick ? 5e6 : 50e6), iterations);
  progress('codec: interactive fixture');
  await benchFixture(interactiveFixture(quick ? 100_000 : 1_000_000), iterations);
  progress('codec: async cut-off');
  cutoff = await measureCutoff(native, quick);
}
const userRows: UserRow[] = [];
userRows.push(...await userReadRows({ quick, progress }));
userRows.push(...await userWriteRows({ quick, progress }));
if (!userOnly && !args.has('--no-rss')) progress('peak RSS of a >= 1 GiB read (child processes)');
const rss = userOnly || args.has('--no-rss') ? { skipped: true } : peakRss();
progress(`done in ${((Date.now() - startedMs) / 1000).toFixed(0)} s`);

if (json) {
  console.log(JSON.stringify({ meta, results: rows, userPath: userRows, asyncCutoff: cutoff, readPeakRss: rss }, null, 2));
} else {
  console.log('\n| op | fixture | driver | ms (best) | MB/s | events/s | × limit |');
  console.log('|---|---|---|---:|---:|---:|---:|');
  for (const r of rows) console.log(`| ${r.op} | ${r.fixture} | ${r.driver} | ${r.ms} | ${r.mbPerS} | ${r.eventsPerS.toLocaleString('en-US')} | ${r.ratioToLimit ?? ''} |`);
  console.log('\nuser path (ratio: read rows x raw gunzip of the same parts; process rows: speed-up over the main checkout):');
  printUserTable(userRows);
  if (cutoff) {
    console.log('\nsync/async cut-off of addChunkAsync (one chunk at a time, µs per chunk):');
    console.log('| chunk bytes | sync µs | async µs | async overhead µs |');
    console.log('|---:|---:|---:|---:|');
    for (const c of cutoff.table) console.log(`| ${c.bytes} | ${c.syncUs} | ${c.asyncUs} | ${c.overheadUs} |`);
    console.log(`cut-off (worker hop < the sync compression time it moves off the main thread): ${cutoff.cutoffBytes} bytes; ASYNC_MIN_BYTES in use: ${cutoff.inUse}`);
  }
  console.log('\npeak RSS reading a >= 1 GiB recording (ProtoReader on a file stream, dist/, own process):');
  for (const [name, r] of Object.entries(rss)) console.log(`  ${name}: ${JSON.stringify(r)}`);
}
