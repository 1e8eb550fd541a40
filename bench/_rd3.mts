import { codec } from '../lib/codec/index.js';
import { writeCodec } from './drivers.js';
import { bulkFixture } from './fixtures.js';
const fx = bulkFixture(20e6);
const ref = writeCodec(codec, fx);
const secs = ref.parts.map((p) => p.subarray(24, 24 + Number(new DataView(p.buffer, p.byteOffset).getBigUint64(8))));
const s0 = performance.now();
for (let i = 0; i < 15; i++) for (const s of secs) codec.releaseSection!(codec.inflateSection(s, { maxInflatedBytes: 1 << 28 }));
console.log(performance.now() - s0);
