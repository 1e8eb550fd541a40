import { codec, jsCodec } from '/work/wt/reader/lib/codec/index.js';
import { writeCodec, readLimit, readStream, readRecords, readCodec } from '/work/wt/reader/bench/drivers.js';
import { bulkFixture, interactiveFixture } from '/work/wt/reader/bench/fixtures.js';
const which = process.argv[2] ?? 'bulk';
const fx = which === 'bulk' ? bulkFixture(20e6) : interactiveFixture(300_000);
const ref = writeCodec(codec, fx);
const rec = Buffer.concat(ref.parts);
const t = async (name: string, fn: () => unknown) => { let best = 1e9; for (let i = 0; i < 4; i++) { const s = performance.now(); await fn(); best = Math.min(best, performance.now() - s); } console.log(name.padEnd(22), best.toFixed(1), 'ms'); return best; };
const lim = await t('limit gunzip', () => readLimit(ref.parts));
for (const [n, f] of [['records native', () => readRecords(codec, ref.parts)], ['codec native', () => readCodec(codec, ref.parts)], ['codec native views', () => readCodec(codec, ref.parts, true)],
  ['reader copy', () => readStream(codec, rec)], ['reader views', () => readStream(codec, rec, false)], ['reader js copy', () => readStream(jsCodec, rec)]] as const) {
  const ms = await t(n, f); console.log('   x limit', (lim / ms).toFixed(2));
}
