// The sync/async cut-off of PartEncoder.addChunkAsync: for each chunk size, the time of one chunk
// compressed on the calling thread vs. on a libuv worker (awaited one at a time). The cut-off is
// the smallest chunk whose worker hop (the extra latency) costs less than the compression it moves
// off the main thread; below it addChunkAsync compresses synchronously.
import type { SliceCodec } from '../lib/codec/codec.js';
import { ASYNC_MIN_BYTES } from '../lib/codec/native-codec.js';
import { createRequire } from 'node:module';
import { bulkFixture } from './fixtures.js';

interface RawEncoder {
  addChunk(b: Uint8Array): number;
  addChunkAsync(b: Uint8Array): Promise<number>;
  finish(pad: number): Uint8Array;
}

export async function measureCutoff(native: SliceCodec, quick: boolean) {
  // The raw addon class, so the adapter's own cut-off does not hide the async path.
  const load = createRequire(import.meta.url)('node-gyp-build') as (dir: string) => { PartEncoder: new () => RawEncoder };
  const addon = load(new URL('..', import.meta.url).pathname);
  const framed = native.framePrints!(bulkFixture(1).batch);
  const sizes = [1024, 4096, 8192, 16384, 32768, 65536, 262144];
  const table: { bytes: number; syncUs: number; asyncUs: number; overheadUs: number }[] = [];
  const rounds = quick ? 50 : 200;
  const median = (v: number[]) => [...v].sort((a, b) => a - b)[v.length >> 1];
  for (const bytes of sizes) {
    const chunk = framed.subarray(0, bytes);
    const syncs: number[] = [];
    const asyncs: number[] = [];
    // Interleaved trials, median of each: the machine is shared, single runs are noisy.
    for (let trial = 0; trial < 7; trial++) {
      let enc = new addon.PartEncoder();
      let t = process.hrtime.bigint();
      for (let i = 0; i < rounds; i++) enc.addChunk(chunk);
      syncs.push(Number(process.hrtime.bigint() - t) / 1e3 / rounds);
      enc.finish(0);
      enc = new addon.PartEncoder();
      t = process.hrtime.bigint();
      for (let i = 0; i < rounds; i++) await enc.addChunkAsync(chunk);
      asyncs.push(Number(process.hrtime.bigint() - t) / 1e3 / rounds);
      enc.finish(0);
    }
    const sync = median(syncs);
    const async = median(asyncs);
    table.push({ bytes, syncUs: Math.round(sync), asyncUs: Math.round(async), overheadUs: Math.round(async - sync) });
  }
  const cut = table.find((r) => r.overheadUs < r.syncUs)?.bytes ?? null;
  return { table, cutoffBytes: cut, inUse: ASYNC_MIN_BYTES };
}
