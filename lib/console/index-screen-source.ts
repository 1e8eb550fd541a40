// The console's ScreenSource on lib/index-store's RecordingIndex. A recording without a fresh
// index is indexed in the background, one at a time, a recording someone opened before the rest.
// Playback never waits for a whole index: while a build runs, its keyframes are kept here as they
// are made (thinned out to a bounded number), so a seek inside the part indexed so far starts at
// a keyframe near it, and a seek beyond starts at the last one and reads forward from there.
// The builds themselves may run elsewhere (IndexThread: a worker thread), given as `builder`.
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import type { RecordingIndex } from '../index-store/recording-index.js';
import { type KeyframeEntry, recordingStamp, sameStamp, SeekFile } from '../index-store/seek-file.js';
import type { ScreenSnapshot, ScreenState } from '../screen/screen-model.js';
import { statRecording } from '../stream/recording-file.js';
import type { GrepHit, IndexProgress, ScreenSource } from './screen-source.js';
import type { ResumePoint } from './session-frames.js';

/** A keyframe of a build in progress, its screen deflated (a few KiB). */
interface PartialKeyframe extends Omit<ResumePoint, 'data'> {
  deflated: Buffer;
}

interface IndexState {
  sessionId: string;
  path: string;
  ready: boolean;
  /** True from the moment the build starts until it settles. */
  building: boolean;
  /** Settles when the build ends (either way), by `settle`. */
  built: Promise<void>;
  settle: () => void;
  durationMs: number | null;
  finalText?: Promise<string>;
  /** Keyframes of the running build, in time order; only every `stride`-th one is kept. */
  partial: PartialKeyframe[];
  stride: number;
  seen: number;
  /** Session time the running build has reached (its last keyframe). */
  indexedMs: number;
  /** Whether a fresh seek file was there when the state was made. */
  seekable: Promise<boolean>;
  /** Someone opened it: its build goes first, and stops a background one to start. */
  urgent: boolean;
  /** Stops the running build (to let an urgent one go first). */
  abort: AbortController | null;
}

async function seekFileIsFresh(seekPath: string, recording: string): Promise<boolean> {
  try {
    const file = await SeekFile.open(seekPath);
    try {
      return sameStamp(file.header.recording, await recordingStamp(recording));
    } finally {
      await file.close();
    }
  } catch {
    return false; // missing, stale or damaged: the build makes a new one
  }
}

const stateKey = (sessionId: string, path: string, st: { size: number; mtimeMs: number }) => `${sessionId}\0${path}\0${st.size}\0${st.mtimeMs}`;

const MAX_STATES = 4096;
/** Keyframes kept per build in progress: at most a few MiB, however long the recording. */
const MAX_PARTIAL_KEYFRAMES = 512;

/** What is kept of a keyframe's screen while its build runs. */
export type KeyframeScreen = Pick<ScreenSnapshot, 'cols' | 'rows' | 'data'> & { state: Pick<ScreenState, 'clock'> };

function keep(state: IndexState, entry: KeyframeEntry, snapshot: KeyframeScreen): void {
  state.indexedMs = entry.timeMs;
  if (state.seen++ % state.stride !== 0) return;
  state.partial.push({
    timeMs: entry.timeMs, eventIndex: entry.eventIndex, partOffset: entry.partOffset, recordIndex: entry.recordIndex, partResume: entry.resume,
    clock: snapshot.state.clock, cols: snapshot.cols, rows: snapshot.rows, deflated: deflateRawSync(snapshot.data),
  });
  if (state.partial.length >= MAX_PARTIAL_KEYFRAMES) {
    // Every other one goes, and from now on every other one is kept: spacing stays even.
    state.partial = state.partial.filter((_, i) => i % 2 === 0);
    state.stride *= 2;
  }
}

function partialAt(state: IndexState, timeMs: number): ResumePoint | null {
  let found: PartialKeyframe | null = null;
  for (let lo = 0, hi = state.partial.length - 1; lo <= hi;) {
    const mid = (lo + hi) >> 1;
    if (state.partial[mid]!.timeMs <= timeMs) {
      found = state.partial[mid]!;
      lo = mid + 1;
    } else {
      hi = mid - 1;
    }
  }
  if (!found) return null;
  const { deflated, ...point } = found;
  return { ...point, data: inflateRawSync(deflated).toString('utf8') };
}

/** What builds an index: a RecordingIndex, or an IndexThread running one in a worker. */
export interface IndexBuilder {
  indexRecording(sessionId: string, path: string, options: {
    onKeyframe?: (entry: KeyframeEntry, screen: KeyframeScreen) => void;
    signal?: AbortSignal;
  }): Promise<{ header: { durationMs: number } }>;
}

/** What the console uses of a RecordingIndex. */
export type ScreenIndex = Pick<RecordingIndex, 'seekPath' | 'seekPoint' | 'screenAt' | 'search'> & IndexBuilder;

export class IndexScreenSource implements ScreenSource {
  private readonly states = new Map<string, IndexState>();
  /** States waiting for their build, in the order they run. */
  private waiting: IndexState[] = [];
  private current: IndexState | null = null;

  private closed = false;

  constructor(private readonly index: ScreenIndex, private readonly builder: IndexBuilder = index) {}

  /**
   * The recording's index state, queueing a build when there is none for this version of the
   * file; `urgent` (someone opened it) moves a waiting build to the front.
   */
  private async state(sessionId: string, path: string, urgent = false): Promise<IndexState> {
    const key = stateKey(sessionId, path, await statRecording(path));
    let state = this.states.get(key);
    if (!state) {
      let settle!: () => void;
      const built = new Promise<void>((done) => { settle = done; });
      const fresh: IndexState = {
        sessionId, path, ready: false, building: false, built, settle, durationMs: null, partial: [], stride: 1, seen: 0, indexedMs: 0,
        seekable: Promise.resolve(false), urgent: false, abort: null,
      };
      // A failed build is forgotten, so the next request tries again.
      fresh.built = built.then(() => { if (!fresh.ready && this.states.get(key) === fresh) this.states.delete(key); });
      state = fresh;
      this.states.set(key, fresh);
      if (this.states.size > MAX_STATES) this.states.delete(this.states.keys().next().value!);
      // A seek file of this very recording serves seeks at once; the queued build then only
      // checks the text index.
      fresh.seekable = seekFileIsFresh(this.index.seekPath(sessionId), path);
      this.waiting.push(fresh);
    }
    if (urgent && !state.urgent && !state.ready) {
      state.urgent = true;
      const at = this.waiting.indexOf(state);
      if (at >= 0) {
        this.waiting.unshift(...this.waiting.splice(at, 1));
        // A background build gives way (it starts again later): minutes of indexing someone
        // else's recording must not keep this one waiting.
        if (this.current && !this.current.urgent) this.current.abort?.abort();
      }
    }
    this.pump();
    return state;
  }

  /** Runs the waiting builds one after the other. */
  private pump(): void {
    if (this.current || this.closed) return;
    const next = this.waiting.shift();
    if (!next) return;
    this.current = next;
    next.building = true;
    const abort = new AbortController();
    next.abort = abort;
    const onKeyframe = (entry: KeyframeEntry, screen: KeyframeScreen) => keep(next, entry, screen);
    this.builder.indexRecording(next.sessionId, next.path, { onKeyframe, signal: abort.signal }).then((result) => {
      next.ready = true;
      next.durationMs = result.header.durationMs;
    }, (err: Error) => {
      if (!abort.signal.aborted) process.stderr.write(`auditcast serve: session ${next.sessionId} not indexed: ${err.message}\n`);
    }).finally(() => {
      Object.assign(next, { building: false, abort: null, partial: [], stride: 1, seen: 0, indexedMs: next.ready ? next.indexedMs : 0 });
      this.current = null;
      // Stopped for an urgent one: it waits behind it, from the start.
      if (abort.signal.aborted && !next.ready && !this.closed) this.waiting.splice(1, 0, next);
      else next.settle();
      this.pump();
    });
  }

  /** Stops the running build (its index is left as it was, to be built again) and starts no other. */
  async close(): Promise<void> {
    this.closed = true;
    for (const state of this.waiting.splice(0)) state.settle();
    const current = this.current;
    current?.abort?.abort();
    await current?.built;
  }

  /** Indexes every recording given that has no fresh index; resolves when all are done. */
  async warm(recordings: readonly { sessionId: string; path: string }[]): Promise<void> {
    const states = await Promise.all(recordings.map((rec) => this.state(rec.sessionId, rec.path).catch(() => null)));
    await Promise.all(states.map((s) => s?.built));
  }

  async keyframe(sessionId: string, path: string, t: number): Promise<ResumePoint | null> {
    const state = await this.state(sessionId, path, true);
    if (!state.ready && !(await state.seekable)) return partialAt(state, t * 1000);
    const { keyframe, snapshot } = await this.index.seekPoint(sessionId, path, t * 1000);
    return {
      timeMs: keyframe.timeMs, eventIndex: keyframe.eventIndex, partOffset: keyframe.partOffset, recordIndex: keyframe.recordIndex, partResume: keyframe.resume,
      clock: snapshot.state.clock, cols: snapshot.cols, rows: snapshot.rows, data: snapshot.data,
    };
  }

  async grep(query: string, limit: number): Promise<GrepHit[]> {
    const hits = await this.index.search(query, { limit });
    return hits.map((h) => ({ sessionId: h.sessionId, t: h.timeMs / 1000, line: h.text }));
  }

  async finalText(sessionId: string, path: string): Promise<string | null> {
    const state = await this.state(sessionId, path);
    if (!state.ready || state.durationMs === null) return null;
    state.finalText ??= this.index.screenAt(sessionId, path, state.durationMs).then((s) => s.text.join('\n'));
    return state.finalText;
  }

  /** Only looks: the player asks it before its first frame, which a build starting then would slow. */
  async duration(sessionId: string, path: string): Promise<number | null> {
    const st = await statRecording(path);
    const state = this.states.get(stateKey(sessionId, path, st));
    return state?.ready && state.durationMs !== null ? state.durationMs / 1000 : null;
  }

  async progress(sessionId: string, path: string): Promise<IndexProgress> {
    const state = await this.state(sessionId, path, true);
    if (state.ready && state.durationMs !== null) return { state: 'ready', indexedSeconds: state.durationMs / 1000, durationSeconds: state.durationMs / 1000 };
    return { state: state.building ? 'building' : 'waiting', indexedSeconds: state.indexedMs / 1000, durationSeconds: null };
  }
}
