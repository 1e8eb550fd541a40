// The console's ScreenSource on lib/index-store's RecordingIndex. A recording without a fresh
// index is indexed in the background (one at a time, the index's own queue), and answers null
// until then: a large recording plays at once instead of waiting minutes for its index.
import { promises as fsp } from 'node:fs';
import type { RecordingIndex } from '../index-store/recording-index.js';
import type { GrepHit, ScreenSource } from './screen-source.js';
import type { ResumePoint } from './session-frames.js';

interface IndexState {
  ready: boolean;
  /** Settles when the build ends (either way). */
  built: Promise<void>;
  durationMs: number | null;
  finalText?: Promise<string>;
}

const MAX_STATES = 4096;

export class IndexScreenSource implements ScreenSource {
  private readonly states = new Map<string, IndexState>();

  constructor(private readonly index: RecordingIndex) {}

  /** The recording's index state, starting a build when there is none for this version of the file. */
  private async state(sessionId: string, path: string): Promise<IndexState> {
    const st = await fsp.stat(path);
    const key = `${sessionId}\0${path}\0${st.size}\0${st.mtimeMs}`;
    let state = this.states.get(key);
    if (!state) {
      const fresh: IndexState = { ready: false, durationMs: null, built: Promise.resolve() };
      state = fresh;
      this.states.set(key, fresh);
      if (this.states.size > MAX_STATES) this.states.delete(this.states.keys().next().value!);
      fresh.built = this.index.indexRecording(sessionId, path).then((result) => {
        fresh.ready = true;
        fresh.durationMs = result.header.durationMs;
      }, (err: Error) => {
        this.states.delete(key);
        process.stderr.write(`auditcast serve: session ${sessionId} not indexed: ${err.message}\n`);
      });
    }
    return state;
  }

  /** Indexes every recording given that has no fresh index; resolves when all are done. */
  async warm(recordings: readonly { sessionId: string; path: string }[]): Promise<void> {
    const states = await Promise.all(recordings.map((rec) => this.state(rec.sessionId, rec.path).catch(() => null)));
    await Promise.all(states.map((s) => s?.built));
  }

  async keyframe(sessionId: string, path: string, t: number): Promise<ResumePoint | null> {
    if (!(await this.state(sessionId, path)).ready) return null;
    const { keyframe, snapshot } = await this.index.seekPoint(sessionId, path, t * 1000);
    return {
      timeMs: keyframe.timeMs, eventIndex: keyframe.eventIndex, partOffset: keyframe.partOffset, recordIndex: keyframe.recordIndex,
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

  async duration(sessionId: string, path: string): Promise<number | null> {
    const state = await this.state(sessionId, path);
    return state.ready && state.durationMs !== null ? state.durationMs / 1000 : null;
  }
}
