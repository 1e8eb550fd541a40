// Lifecycle of async work: garbage collection while a worker runs, the codec inside worker_threads
// (and a worker terminated with work in flight), and a process exiting with work in flight.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import v8 from 'node:v8';
import vm from 'node:vm';
import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { buildPart, chunkRecords, codecUnderTest, corpusPrints, forceJs, frameEvents, jsCodec, sha256 } from './codec-helpers.js';

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;
const fixtures = join(import.meta.dirname, 'fixtures');
const chunks = chunkRecords(frameEvents(corpusPrints('build')));

function runWorker(data: object, onMessage: (message: Record<string, unknown>, worker: Worker) => void): Promise<number> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(join(fixtures, 'codec-worker.mjs'), { workerData: data });
    worker.on('message', (m) => onMessage(m, worker));
    worker.on('error', reject);
    worker.on('exit', resolve);
  });
}

describe('codec lifecycle', () => {
  it('GC while async compression runs: dropped encoders and inputs stay alive until done', async () => {
    const c = codecUnderTest();
    const pending: Promise<number>[] = [];
    for (let i = 0; i < 8; i++) {
      const encoder = c.createPartEncoder();
      for (const chunk of chunks) pending.push(encoder.addChunkAsync(Uint8Array.from(chunk)));
    }
    for (let i = 0; i < 5; i++) {
      gc();
      await new Promise((r) => setImmediate(r));
    }
    const sizes = await Promise.all(pending);
    expect(sizes.every((n) => Number.isInteger(n) && n > 10)).toBe(true);
    gc();
  });

  it('GC while sections inflate on workers: inputs and results survive', async () => {
    const c = codecUnderTest();
    const part = buildPart(jsCodec, chunks);
    const size = Number(new DataView(part.buffer, part.byteOffset).getBigUint64(8));
    const pending = Array.from({ length: 8 }, () => c.inflateSectionAsync!(Uint8Array.from(part.subarray(24, 24 + size)), { maxInflatedBytes: 1 << 26 }));
    gc();
    const results = await Promise.all(pending);
    gc();
    for (const r of results) expect(sha256(r.data)).toBe(sha256(Buffer.concat(chunks)));
  });

  it('an encoder kept only by its pending promise still finishes the right part', async () => {
    const c = codecUnderTest();
    const finish = (() => {
      const encoder = c.createPartEncoder();
      const all = chunks.map((chunk) => encoder.addChunkAsync(Uint8Array.from(chunk)));
      return Promise.all(all).then(() => encoder.finish(0));
    })();
    gc();
    expect(sha256(await finish)).toBe(sha256(buildPart(jsCodec, chunks)));
  });

  it('works in worker_threads, two at once, same bytes as the main thread', async () => {
    const expected = sha256(buildPart(jsCodec, chunks));
    const results: Record<string, unknown>[] = [];
    await Promise.all([0, 1].map(() => runWorker({ chunks }, (m) => results.push(m))));
    expect(results).toHaveLength(2);
    for (const r of results) {
      expect(r.backend).toBe(forceJs ? 'js' : 'native');
      expect(r.part).toBe(expected);
      expect(r.data).toBe(sha256(Buffer.concat(chunks)));
    }
  });

  it('a worker terminated with async work in flight does not take the process down', async () => {
    let queued = false;
    const code = await runWorker({ chunks, inFlight: true }, (m, worker) => {
      queued = m.queued === true;
      void worker.terminate();
    });
    expect(queued).toBe(true);
    expect(code).toBe(1);
    // The main thread's codec still works afterwards.
    expect(sha256(buildPart(codecUnderTest(), chunks))).toBe(sha256(buildPart(jsCodec, chunks)));
  });

  it('a process exiting with work in flight exits cleanly', () => {
    for (let i = 0; i < 3; i++) {
      const child = spawnSync(process.execPath, [join(fixtures, 'exit-in-flight.mjs')], { encoding: 'utf8', timeout: 30_000 });
      expect(child.signal).toBeNull();
      expect(child.stderr).toBe('');
      expect(child.status).toBe(0);
      expect(child.stdout).toBe(`queued ${forceJs ? 'js' : 'native'}\n`);
    }
  });
});
