import zlib from 'node:zlib';
import { codec, jsCodec } from '../lib/codec/index.js';
import { writeCodec } from './drivers.js';
import { bulkFixture } from './fixtures.js';
const fx = bulkFixture(20e6);
const ref = writeCodec(codec, fx);
const secs = ref.parts.map((p) => p.subarray(24, 24 + Number(new DataView(p.buffer, p.byteOffset).getBigUint64(8))));
console.log(secs.length, 'sections', secs.map((s) => s.length));
const t = (name: string, fn: () => unknown) => { let best = 1e9; for (let i = 0; i < 6; i++) { const s = performance.now(); fn(); best = Math.min(best, performance.now() - s); } console.log(name.padEnd(22), best.toFixed(1), 'ms'); };
for (let k = 0; k < 2; k++) {
t('gunzipSync', () => { for (const s of secs) zlib.gunzipSync(s); });
t('native inflate', () => { for (const s of secs) codec.inflateSection(s, { maxInflatedBytes: 1 << 28 }); });
t('native inflate+rel', () => { for (const s of secs) codec.releaseSection!(codec.inflateSection(s, { maxInflatedBytes: 1 << 28 })); });
t('js inflate', () => { for (const s of secs) jsCodec.inflateSection(s, { maxInflatedBytes: 1 << 28 }); });
}
