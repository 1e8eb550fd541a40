// RecordingIndex: the index store of a data dir (default <data-dir>/index/). Per recording, a seek
// file (keyframes) and its lines in the full-text index; both are rebuilt when missing, stale (the
// recording changed) or corrupt. Playback never depends on it: the screen at t is computed from the
// nearest keyframe and the events after it, and equals a replay from the start.
import { createHash } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { AuditcastError, badParameter, isAuditcastError } from '../errors.js';
import type { SliceCodec } from '../codec/codec.js';
import { ScreenModel, type ScreenLimits, type ScreenSnapshot } from '../screen/screen-model.js';
import { readRecordingFrom } from '../stream/positioned-reader.js';
import { isMountedRecording, statRecording } from '../stream/recording-file.js';
import { acquireBuildLock } from './build-lock.js';
import { buildSeekIndex } from './build-index.js';
import { type KeyframeEntry, type SeekHeader, SeekFile, recordingStamp, sameStamp } from './seek-file.js';
import { type IndexedSession, type SearchHit, type SearchOptions, TextIndex } from './text-index.js';
import type { TextStore } from './text-store.js';

export interface RecordingIndexOptions {
  /** The index directory (created if missing). */
  dir: string;
  limits?: ScreenLimits;
  keyframeBytes?: number;
  keyframeMs?: number;
  /** Keyframes in parts at least this large (compressed) resume inside the part (default 256 KiB). */
  minResumePartBytes?: number;
  codec?: SliceCodec;
  /** Where lines of text are kept and searched (closed by close()); default SQLite FTS5 in `dir`. */
  text?: TextStore;
}

export interface IndexRecordingOptions {
  /** Rebuild even a fresh index. */
  force?: boolean;
  /** Each keyframe as a (re)build stores it (not called when a fresh index is kept). */
  onKeyframe?: (entry: KeyframeEntry, snapshot: ScreenSnapshot) => void;
  signal?: AbortSignal;
  /** Called once if another build of the session (maybe in another process) is waited for. */
  onWait?: (holder: string) => void;
  /** Told how far into the recording file the build is (bytes), now and then. */
  onProgress?: (offset: number) => void;
}

export interface IndexResult {
  header: SeekHeader;
  /** False when a fresh index was already there. */
  rebuilt: boolean;
  /** Lines in the full-text index, or null without better-sqlite3. */
  lines: number | null;
}

/** Where reading resumes to reach a moment, and the screen at the keyframe. */
export interface SeekPoint {
  keyframe: KeyframeEntry;
  snapshot: ScreenSnapshot;
}

/**
 * Applies the events after a keyframe (from the start when none) up to `timeMs` to `model`. A
 * recording that breaks off stops the replay there, as it stopped the index: the error is returned.
 */
export async function advanceScreen(model: ScreenModel, recording: string, timeMs: number, from?: KeyframeEntry, options: { codec?: SliceCodec } = {}): Promise<AuditcastError | null> {
  try {
    for await (const { event } of readRecordingFrom(recording, {
      partOffset: from?.partOffset ?? 0, recordIndex: from?.recordIndex ?? 0, afterIndex: from?.eventIndex ?? -1, codec: options.codec, resume: from?.resume,
    })) {
      if (model.timeOf(event) > timeMs) return null;
      model.apply(event);
    }
    return null;
  } catch (err) {
    if (isAuditcastError(err, 'CORRUPTED')) return err;
    throw err;
  }
}

/** The screen at `timeMs` by replaying the recording from its start (no index). */
export async function replayScreenAt(recording: string, timeMs: number, options: { limits?: ScreenLimits; codec?: SliceCodec } = {}): Promise<ScreenSnapshot> {
  const model = new ScreenModel({ ...options.limits });
  try {
    await advanceScreen(model, recording, timeMs, undefined, options);
    return model.snapshot();
  } finally {
    model.dispose();
  }
}

export class RecordingIndex {
  readonly dir: string;
  private text: TextStore | null | undefined;
  private textError: AuditcastError | null = null;
  /** Index builds run one at a time (one SQLite transaction each). */
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly options: RecordingIndexOptions) {
    if (!options.dir) throw badParameter('RecordingIndex needs a directory');
    this.dir = path.resolve(options.dir);
  }

  /** The seek file path of a session (ids that are not plain names are hashed). */
  seekPath(sessionId: string): string {
    const safe = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/.test(sessionId) ? sessionId : createHash('sha256').update(sessionId).digest('hex');
    return path.join(this.dir, `${safe}.seek`);
  }

  /** The full-text index, or null (with the reason in `textUnavailable`) without better-sqlite3. */
  private textIndex(): TextStore | null {
    if (this.text === undefined && this.options.text) this.text = this.options.text;
    if (this.text === undefined) {
      try {
        mkdirSync(this.dir, { recursive: true, mode: 0o700 });
        this.text = TextIndex.open(this.dir);
      } catch (err) {
        if (!isAuditcastError(err, 'UNSUPPORTED')) throw err;
        this.text = null;
        this.textError = err;
      }
    }
    return this.text;
  }

  /** Why full-text search is unavailable, or null. */
  get textUnavailable(): string | null {
    this.textIndex();
    return this.textError?.message ?? null;
  }

  /**
   * Indexes a recording unless a fresh index of it is there (`force` rebuilds anyway). Builds of
   * one session never overlap, in this process or another: a second one waits for the first
   * (`onWait` is told once) and then finds its index fresh.
   */
  indexRecording(sessionId: string, recording: string, options: IndexRecordingOptions = {}): Promise<IndexResult> {
    const run = this.queue.then(() => this.indexLocked(sessionId, recording, options));
    this.queue = run.catch(() => {});
    return run;
  }

  private async indexLocked(sessionId: string, recording: string, options: IndexRecordingOptions): Promise<IndexResult> {
    await fs.mkdir(this.dir, { recursive: true, mode: 0o700 });
    const lock = await acquireBuildLock(`${this.seekPath(sessionId)}.lock`, { signal: options.signal, onWait: options.onWait });
    try {
      // Another process built it meanwhile: a forced build is not done twice.
      return await this.indexNow(sessionId, recording, lock.waited ? { ...options, force: false } : options);
    } finally {
      await lock.release();
    }
  }

  private async indexNow(sessionId: string, recording: string, options: IndexRecordingOptions): Promise<IndexResult> {
    const stamp = await recordingStamp(recording);
    const text = this.textIndex();
    if (!options.force) {
      const existing = await this.openFresh(sessionId, recording);
      if (existing) {
        const header = existing.header;
        await existing.close();
        const indexed = await text?.session(sessionId);
        if (!text || indexed && sameStamp(indexed.recording, stamp)) return { header, rebuilt: false, lines: indexed?.lines ?? null };
      }
    }
    const target = this.seekPath(sessionId);
    const build = (onLine?: (line: { text: string; timeMs: number; eventIndex: number }, startMs: number) => void) => buildSeekIndex(recording, target, {
      sessionId, keyframeBytes: this.options.keyframeBytes, keyframeMs: this.options.keyframeMs, limits: this.options.limits,
      codec: this.options.codec, onLine, onKeyframe: options.onKeyframe, signal: options.signal, onProgress: options.onProgress,
      minResumePartBytes: this.options.minResumePartBytes,
    });
    if (!text) return { header: await build(), rebuilt: true, lines: null };
    let header: SeekHeader | undefined;
    const lines = await text.replaceSession(sessionId, stamp, async (add) => {
      header = await build(add);
      return { user: header.user, startMs: header.startMs };
    }, isMountedRecording(recording) ? recording : path.resolve(recording));
    return { header: header!, rebuilt: true, lines };
  }

  /**
   * Of these recordings, the ones whose full-text index is missing or older than the file (by
   * size and modification time, one stat each), and the indexed sessions whose recording file
   * (as indexed) changed since. Without better-sqlite3, every recording given whose seek index is
   * missing or stale.
   */
  async staleRecordings(recordings: readonly { sessionId: string; path: string }[]): Promise<{ sessionId: string; path: string; size: number }[]> {
    const text = this.textIndex();
    const known = new Map<string, IndexedSession>();
    for (const s of (await text?.sessions?.()) ?? []) known.set(s.sessionId, s);
    const candidates = new Map<string, string>();
    for (const r of recordings) candidates.set(r.sessionId, isMountedRecording(r.path) ? r.path : path.resolve(r.path));
    for (const s of known.values()) if (s.path && !candidates.has(s.sessionId)) candidates.set(s.sessionId, s.path);
    const stale: { sessionId: string; path: string; size: number }[] = [];
    await Promise.all([...candidates].map(async ([sessionId, file]) => {
      const st = await statRecording(file).catch(() => null);
      if (!st?.isFile) return; // gone: its lines stay searchable
      const indexed = known.get(sessionId) ?? (text && !text.sessions ? await text.session(sessionId) : undefined);
      if (text) {
        if (indexed && indexed.recording.size === st.size && indexed.recording.mtimeMs === Math.floor(st.mtimeMs)) return;
      } else {
        const seek = await this.openFresh(sessionId, file);
        await seek?.close();
        if (seek) return;
      }
      stale.push({ sessionId, path: file, size: st.size });
    }));
    return stale.sort((a, b) => a.sessionId.localeCompare(b.sessionId));
  }

  /** The session's seek file if it exists, is intact and matches the recording; else null. */
  private async openFresh(sessionId: string, recording: string): Promise<SeekFile | null> {
    let file: SeekFile;
    try {
      file = await SeekFile.open(this.seekPath(sessionId));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT' || isAuditcastError(err, 'CORRUPTED') || isAuditcastError(err, 'UNSUPPORTED') || err instanceof SyntaxError) return null;
      throw err;
    }
    if (!sameStamp(file.header.recording, await recordingStamp(recording))) {
      await file.close();
      return null;
    }
    return file;
  }

  /** The seek file of a recording, built first when missing, stale or corrupt. Close it when done. */
  async seekFile(sessionId: string, recording: string): Promise<SeekFile> {
    const fresh = await this.openFresh(sessionId, recording);
    if (fresh) return fresh;
    await this.indexRecording(sessionId, recording, { force: true });
    return SeekFile.open(this.seekPath(sessionId));
  }

  /** The keyframe at or before `timeMs`, with its screen. */
  async seekPoint(sessionId: string, recording: string, timeMs: number): Promise<SeekPoint> {
    for (let attempt = 0; ; attempt++) {
      const file = await this.seekFile(sessionId, recording);
      try {
        const keyframe = file.keyframeAt(timeMs);
        if (!keyframe) throw new AuditcastError('CORRUPTED', `seek index ${file.path} has no keyframes`);
        return { keyframe, snapshot: await file.snapshot(keyframe) };
      } catch (err) {
        // A blob that fails its checksum: rebuild once, then give up.
        if (attempt > 0 || !isAuditcastError(err, 'CORRUPTED')) throw err;
        await fs.rm(file.path, { force: true });
      } finally {
        await file.close();
      }
    }
  }

  /** The screen at `timeMs` (ms since the session start): nearest keyframe, then the events after it. */
  async screenAt(sessionId: string, recording: string, timeMs: number): Promise<ScreenSnapshot> {
    if (!Number.isFinite(timeMs) || timeMs < 0) throw badParameter(`time must be a non-negative number of milliseconds, got ${timeMs}`);
    const { keyframe, snapshot } = await this.seekPoint(sessionId, recording, timeMs);
    const model = ScreenModel.fromSnapshot(snapshot, { ...this.options.limits });
    try {
      await advanceScreen(model, recording, timeMs, keyframe, { codec: this.options.codec });
      return model.snapshot();
    } finally {
      model.dispose();
    }
  }

  /** Lines of indexed recordings that contain `pattern`, ordered by time. UNSUPPORTED without better-sqlite3. */
  async search(pattern: string, options: SearchOptions = {}): Promise<SearchHit[]> {
    const text = this.textIndex();
    if (!text) throw this.textError!;
    return text.search(pattern, options);
  }

  async close(): Promise<void> {
    const text = this.text;
    this.text = undefined;
    await text?.close();
  }
}
