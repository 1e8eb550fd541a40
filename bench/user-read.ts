// User-path read drivers: ProtoReader as the README tells users to read (for await, copies and
// views, over a Buffer and over a file stream, both backends), batches(), and `auditcast export
// --format text` as a whole process (this checkout, and the main checkout when it is built).
// Ratios are to raw gunzip (node:zlib gunzipSync of every part's gzip member, nothing else) on
// the same bytes; MB/s counts inflated record bytes. Each driver's output is checked first.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import zlib from 'node:zlib';
import { codec, jsCodec } from '../lib/codec/index.js';
import type { SliceCodec } from '../lib/codec/codec.js';
import { PART_HEADER_SIZE } from '../lib/codec/part-format.js';
import { ProtoReader } from '../lib/stream/proto-reader.js';
import { writeCodec } from './drivers.js';
import { bulkFixture, interactiveFixture, type PrintFixture } from './fixtures.js';
import { type UserPathOptions, type UserRow, alternate, bestOfWithCpu, processRows, round } from './user-path.js';

interface Read {
  events: number;
  dataBytes: number;
}

type Source = () => Uint8Array | NodeJS.ReadableStream;

async function forAwait(c: SliceCodec, source: Source, copyData: boolean): Promise<Read> {
  let events = 0;
  let dataBytes = 0;
  for await (const event of new ProtoReader(source() as Uint8Array, { codec: c, copyData })) {
    dataBytes += (event.Data as Uint8Array).length;
    events++;
  }
  return { events, dataBytes };
}

async function batches(c: SliceCodec, source: Source, copyData: boolean): Promise<Read> {
  let events = 0;
  let dataBytes = 0;
  for await (const batch of new ProtoReader(source() as Uint8Array, { codec: c, copyData }).batches()) {
    for (const event of batch) {
      dataBytes += (event.Data as Uint8Array).length;
      events++;
    }
  }
  return { events, dataBytes };
}

function gunzipAll(sections: Uint8Array[]): number {
  let bytes = 0;
  for (const section of sections) bytes += zlib.gunzipSync(section).length;
  return bytes;
}

function exportText(cli: string, file: string, out: string): void {
  rmSync(out, { force: true });
  const run = spawnSync(process.execPath, [cli, 'export', file, '--format', 'text', '--out', out], { encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`${cli} export failed: ${run.stderr}`);
}

const sha = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

async function readFixture(fx: PrintFixture, options: UserPathOptions, dir: string): Promise<UserRow[]> {
  const iterations = options.quick ? 2 : 5;
  const { parts } = writeCodec(codec, fx);
  const recording = Buffer.concat(parts);
  const file = join(dir, `${fx.name}.tar`);
  writeFileSync(file, recording);
  const sections = parts.map((p) => p.subarray(PART_HEADER_SIZE, PART_HEADER_SIZE + Number(new DataView(p.buffer, p.byteOffset).getBigUint64(8))));
  const payload = gunzipAll(sections);
  const expected = { events: fx.events, dataBytes: fx.dataBytes };
  const fromBuffer: Source = () => recording;
  const fromFile: Source = () => createReadStream(file, { highWaterMark: 1 << 20 });

  const rows: UserRow[] = [];
  options.progress(`user read ${fx.name}: raw gunzip`);
  const limit = await bestOfWithCpu(iterations, () => gunzipAll(sections));
  const add = (op: string, driver: string, t: { ms: number; cpuMs: number }) => rows.push({
    op, driver, fixture: fx.name, value: round(payload / 1e6 / (t.ms / 1000), 1), unit: 'MB/s',
    ratio: round(limit.ms / t.ms, 2), cpuRatio: round(limit.cpuMs / t.cpuMs, 2),
  });
  add('read', 'raw gunzipSync per part (reference)', limit);
  const drivers: [string, (c: SliceCodec) => Promise<Read>][] = [
    ['ProtoReader for-await, copies, Buffer', (c) => forAwait(c, fromBuffer, true)],
    ['ProtoReader for-await, views, Buffer', (c) => forAwait(c, fromBuffer, false)],
    ['ProtoReader for-await, copies, file stream', (c) => forAwait(c, fromFile, true)],
    ['ProtoReader for-await, views, file stream', (c) => forAwait(c, fromFile, false)],
    ['ProtoReader batches(), views, Buffer', (c) => batches(c, fromBuffer, false)],
  ];
  for (const [name, run] of drivers) {
    for (const c of [codec, jsCodec]) {
      const got = await run(c);
      if (got.events !== expected.events || got.dataBytes !== expected.dataBytes) {
        throw new Error(`driver output check failed: ${name} (${c.backend}) read ${JSON.stringify(got)}, expected ${JSON.stringify(expected)}`);
      }
      options.progress(`user read ${fx.name}: ${name} (${c.backend})`);
      add('read', `${name} (${c.backend})`, await bestOfWithCpu(iterations, () => run(c)));
    }
  }

  // Whole processes: the CLI of this checkout against a baseline checkout's (AUDITCAST_BENCH_BASELINE:
  // the root of another built checkout, e.g. the commit before a change).
  const out = join(dir, `${fx.name}.txt`);
  const want = sha(fx.batch.data);
  const clis: [string, string][] = [['auditcast export --format text (this checkout)', join(import.meta.dirname, '..', 'bin', 'auditcast.js')]];
  const baseline = process.env.AUDITCAST_BENCH_BASELINE;
  if (baseline && existsSync(join(baseline, 'dist', 'cli', 'main.js'))) clis.push(['auditcast export --format text (baseline checkout)', join(baseline, 'bin', 'auditcast.js')]);
  for (const [name, cli] of clis) {
    exportText(cli, file, out);
    if (sha(readFileSync(out)) !== want) throw new Error(`driver output check failed: ${name} wrote other bytes than the fixture's`);
  }
  // The checkouts alternate, run by run, so both see the same neighbours' load.
  const times = await alternate(clis.map(([name, cli]) => () => {
    options.progress(`user read ${fx.name}: ${name}`);
    exportText(cli, file, out);
  }), options.quick ? 1 : 3);
  rows.push(...processRows(clis.map(([name]) => name), times, fx.name));
  return rows;
}

/** The read rows of the user-path table (bulk and interactive fixtures). */
export async function userReadRows(options: UserPathOptions): Promise<UserRow[]> {
  const dir = mkdtempSync(join(tmpdir(), 'auditcast-user-read-'));
  try {
    return [
      ...await readFixture(bulkFixture(options.quick ? 5e6 : 41e6), options, dir),
      ...await readFixture(interactiveFixture(options.quick ? 100_000 : 600_000), options, dir),
    ];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
