// npx tsx bench/console-steps.ts [--file REC.tar | --mb N]
// The server's side of the console's first frame and seeks, step by step, in process (no HTTP,
// no browser): the head, the stream's first frame, then, while the screen index is built in the
// same process (as `auditcast serve` does), the keyframe lookup and the stream from it to the
// moment (inflating from the keyframe's chunk inside its part). Prints one line per step.
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { IndexScreenSource } from '../lib/console/index-screen-source.js';
import { playerFrames, recordingHead } from '../lib/console/session-frames.js';
import { RecordingIndex } from '../lib/index-store/recording-index.js';
import { writeLargeRecording } from '../test/console/large-recording.js';

const { values } = parseArgs({ options: { file: { type: 'string' }, mb: { type: 'string' }, 'index-s': { type: 'string' } } });
const dir = mkdtempSync(join(tmpdir(), 'auditcast-console-steps-'));
const file = values.file ?? (await writeLargeRecording(dir, 'b16b16b1-0000-4000-8000-00000000000a', Number(values.mb ?? 1024) * 2 ** 20)).path;
const ms = (t0: number) => (performance.now() - t0).toFixed(0);
const load = () => loadavg()[0]!.toFixed(1);
try {
  let t0 = performance.now();
  await recordingHead(file);
  console.log(`head (size, user, start): ${ms(t0)} ms, load ${load()}`);
  t0 = performance.now();
  for await (const f of playerFrames(file, { fromSeconds: 0 })) if (f.t > 0) break;
  console.log(`stream from 0 to its first frame: ${ms(t0)} ms, load ${load()}`);
  const index = new RecordingIndex({ dir: join(dir, 'index') });
  const source = new IndexScreenSource(index);
  await source.progress('s', file); // starts the build
  await new Promise((r) => setTimeout(r, Number(values['index-s'] ?? 20) * 1000));
  const indexed = (await source.progress('s', file)).indexedSeconds;
  console.log(`indexed to ${indexed.toFixed(0)} s; seeks below run while the build goes on`);
  for (const t of [0.9, 0.3, 0.6, 0.1, 0.8].map((f) => f * indexed)) {
    t0 = performance.now();
    const k = await source.keyframe('s', file, t);
    const lookup = ms(t0);
    let bytes = 0;
    for await (const f of playerFrames(file, { fromSeconds: t, resume: k })) {
      if ('o' in f) bytes += Buffer.byteLength(f.o, 'base64');
      if (f.t > t) break;
    }
    console.log(`seek to ${t.toFixed(1)} s: keyframe lookup ${lookup} ms (keyframe at ${((k?.timeMs ?? 0) / 1000).toFixed(1)} s, inside its part: ${k?.partResume ? 'yes' : 'no'}), `
      + `keyframe + stream to the moment ${ms(t0)} ms (${(bytes / 1024).toFixed(0)} KiB of output caught up), load ${load()}`);
  }
  index.close();
} finally {
  rmSync(dir, { recursive: true, force: true });
}
process.exit(0); // the index build is left running
