// The sync/async cut-off of PartEncoder.addChunkAsync: for each chunk size, the time of one chunk
// compressed on the calling thread vs. on a libuv worker (awaited one at a time). Below the
// cut-off the hop to the worker costs more than 10% of the compression itself.
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
  const rounds = quick ? 100 : 400;
  for (const bytes of sizes) {
    const chunk = framed.subarray(0, bytes);
    let best = { sync: Infinity, async: Infinity };
    for (let trial = 0; trial < 3; trial++) {
      let enc = new addon.PartEncoder();
      let t = process.hrtime.bigint();
      for (let i = 0; i < rounds; i++) enc.addChunk(chunk);
      const sync = Number(process.hrtime.bigint() - t) / 1e3 / rounds;
      enc.finish(0);
      enc = new addon.PartEncoder();
      t = process.hrtime.bigint();
      for (let i = 0; i < rounds; i++) await enc.addChunkAsync(chunk);
      const async = Number(process.hrtime.bigint() - t) / 1e3 / rounds;
      enc.finish(0);
      best = { sync: Math.min(best.sync, sync), async: Math.min(best.async, async) };
    }
    table.push({ bytes, syncUs: Math.round(best.sync), asyncUs: Math.round(best.async), overheadUs: Math.round(best.async - best.sync) });
  }
  const cut = table.find((r) => r.overheadUs <= 0.1 * r.syncUs)?.bytes ?? null;
  return { table, cutoffBytes: cut, inUse: ASYNC_MIN_BYTES };
}
