// IndexThread: index builds in a worker thread hand the console the same keyframes, seek file and
// text lines as a build on the main thread, stop when told, and fail (not hang) when closed.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KeyframeScreen } from '../../lib/console/index-screen-source.js';
import { IndexThread } from '../../lib/console/index-thread.js';
import { isAuditcastError } from '../../lib/errors.js';
import { RecordingIndex } from '../../lib/index-store/recording-index.js';
import type { KeyframeEntry } from '../../lib/index-store/seek-file.js';
import { BUILD_SID, type ConsoleData, makeConsoleData } from './console-fixture.js';
import { writeLargeRecording } from './large-recording.js';

let data: ConsoleData;
let recording: string;

beforeAll(async () => {
  data = await makeConsoleData();
  // The build session repeated to 2 MiB of output: keyframes every 256 KiB, in parts of 8 KiB of gzip (a build checks its signal between parts).
  recording = (await writeLargeRecording(data.root, BUILD_SID, 2 * 2 ** 20, undefined, 8 * 1024)).path;
});

afterAll(() => data?.cleanup());

const kept = (entry: KeyframeEntry, screen: KeyframeScreen) => ({ entry, cols: screen.cols, rows: screen.rows, data: screen.data, clock: screen.state.clock });

describe('IndexThread', () => {
  it('builds in a worker what a build on this thread builds: keyframes, seek file and text lines', async () => {
    const here = new RecordingIndex({ dir: join(data.root, 'index-here') });
    const local: ReturnType<typeof kept>[] = [];
    const expected = await here.indexRecording(BUILD_SID, recording, { onKeyframe: (e, s) => local.push(kept(e, s)) });

    const dir = join(data.root, 'index-thread');
    const thread = new IndexThread({ dir });
    const posted: ReturnType<typeof kept>[] = [];
    try {
      const result = await thread.indexRecording(BUILD_SID, recording, { onKeyframe: (e, s) => posted.push(kept(e, s)) });
      expect(result.header.durationMs).toBe(expected.header.durationMs);
      expect(posted.length).toBeGreaterThan(3);
      expect(posted).toEqual(local);
    } finally {
      await thread.close();
    }
    // The main thread's index of that directory reads what the worker wrote.
    const there = new RecordingIndex({ dir });
    try {
      expect((await there.indexRecording(BUILD_SID, recording)).rebuilt).toBe(false);
      const t = expected.header.durationMs / 2;
      expect((await there.screenAt(BUILD_SID, recording, t)).text).toEqual((await here.screenAt(BUILD_SID, recording, t)).text);
      const [hit] = await here.search('make', { limit: 1 });
      expect(hit).toBeDefined();
      expect(await there.search('make', { limit: 1 })).toEqual([hit]);
    } finally {
      await there.close();
      await here.close();
    }
  });

  it('stops a build when its signal aborts, and builds again after', async () => {
    const thread = new IndexThread({ dir: join(data.root, 'index-abort') });
    try {
      const abort = new AbortController();
      const build = thread.indexRecording(BUILD_SID, recording, { signal: abort.signal, onKeyframe: () => abort.abort() });
      expect(isAuditcastError(await build.catch((e: unknown) => e), 'CANCELED')).toBe(true);
      expect(abort.signal.aborted).toBe(true);
      const again = await thread.indexRecording(BUILD_SID, recording, {});
      expect(again.header.durationMs).toBeGreaterThan(0);
    } finally {
      await thread.close();
    }
  });

  it('fails the running build with CANCELED when closed', async () => {
    const thread = new IndexThread({ dir: join(data.root, 'index-close') });
    let closing: Promise<void> | undefined;
    const build = thread.indexRecording(BUILD_SID, recording, { onKeyframe: () => { closing ??= thread.close(); } });
    const err = await build.catch((e: unknown) => e);
    expect(isAuditcastError(err, 'CANCELED')).toBe(true);
    await closing;
  });
});
