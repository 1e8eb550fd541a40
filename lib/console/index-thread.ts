// Index builds in a worker thread. A build replays the whole recording through the screen model:
// minutes of CPU for a large one, in slices long enough to hold every request behind them when
// they ran on the server's event loop. In a thread of their own they cost the requests nothing,
// and their heap is capped apart from the server's.
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { AuditcastError, type ErrorCode } from '../errors.js';
import type { KeyframeEntry } from '../index-store/seek-file.js';
import type { IndexBuilder, KeyframeScreen } from './index-screen-source.js';

export interface IndexThreadData {
  /** The index directory (seek files, and the SQLite text index unless postgresUrl). */
  dir: string;
  /** Text lines go to PostgreSQL at this URL. */
  postgresUrl?: string;
  /** s3:// URLs of recordings read in place: mounts live per thread, so the worker mounts them too. */
  s3Recordings?: string[];
}

export type ToWorker = { kind: 'build'; id: number; sessionId: string; path: string } | { kind: 'abort'; id: number };
export type ToMain =
  | { kind: 'keyframe'; id: number; entry: KeyframeEntry; screen: KeyframeScreen }
  | { kind: 'done'; id: number; durationMs: number }
  | { kind: 'failed'; id: number; message: string; code?: ErrorCode };

interface Build {
  onKeyframe?: (entry: KeyframeEntry, screen: KeyframeScreen) => void;
  resolve: (result: { header: { durationMs: number } }) => void;
  reject: (err: Error) => void;
}

/** The worker's heap limit: a build keeps one screen model and one part step; the rest is garbage. */
const MAX_OLD_GENERATION_MB = 64;

function workerScript(): { script: string | URL; eval: boolean } {
  const here = import.meta.url;
  if (!here.endsWith('.ts')) return { script: new URL('./index-thread-worker.js', here), eval: false };
  // Run from the TypeScript sources (tests, tsx): the worker loads them through tsx as well.
  const tsx = pathToFileURL(createRequire(here).resolve('tsx/esm/api').replace(/index\.cjs$/, 'index.mjs')).href;
  const entry = new URL('./index-thread-worker.ts', here).href;
  return { script: `import(${JSON.stringify(tsx)}).then((m) => { m.register(); return import(${JSON.stringify(entry)}); })`, eval: true };
}

export class IndexThread implements IndexBuilder {
  private worker: Worker | null = null;
  private readonly builds = new Map<number, Build>();
  private nextId = 1;

  constructor(private readonly data: IndexThreadData) {}

  /** The worker, started on the first build and again after one that died. */
  private thread(): Worker {
    if (this.worker) return this.worker;
    const { script, eval: isEval } = workerScript();
    const worker = new Worker(script, { eval: isEval, workerData: this.data, resourceLimits: { maxOldGenerationSizeMb: MAX_OLD_GENERATION_MB } });
    worker.unref();
    worker.on('message', (message: ToMain) => {
      const build = this.builds.get(message.id);
      if (!build) return;
      if (message.kind === 'keyframe') {
        build.onKeyframe?.(message.entry, message.screen);
        return;
      }
      this.builds.delete(message.id);
      if (message.kind === 'done') build.resolve({ header: { durationMs: message.durationMs } });
      else build.reject(message.code ? new AuditcastError(message.code, message.message) : new Error(message.message));
    });
    const died = (err: Error) => {
      if (this.worker !== worker) return;
      this.worker = null;
      for (const build of this.builds.values()) build.reject(err);
      this.builds.clear();
    };
    worker.on('error', died);
    worker.on('exit', (code) => died(new Error(`the index thread stopped (exit code ${code})`)));
    this.worker = worker;
    return worker;
  }

  indexRecording(sessionId: string, path: string, options: { onKeyframe?: Build['onKeyframe']; signal?: AbortSignal } = {}): Promise<{ header: { durationMs: number } }> {
    const id = this.nextId++;
    const worker = this.thread();
    return new Promise((resolve, reject) => {
      this.builds.set(id, { onKeyframe: options.onKeyframe, resolve, reject });
      worker.postMessage({ kind: 'build', id, sessionId, path } satisfies ToWorker);
      options.signal?.addEventListener('abort', () => worker.postMessage({ kind: 'abort', id } satisfies ToWorker), { once: true });
    });
  }

  /** Stops the worker (a build still running fails; its index stays as it was). */
  async close(): Promise<void> {
    const worker = this.worker;
    this.worker = null;
    for (const build of this.builds.values()) build.reject(new AuditcastError('CANCELED', 'the server stopped'));
    this.builds.clear();
    await worker?.terminate();
  }
}
