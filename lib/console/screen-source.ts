// What the console asks of the screen index (lib/index-store): the keyframe at or before a
// moment, search in what was on screen, the final screen's text. The server also runs without
// one (the player then seeks by replaying from the start, and grep answers UNSUPPORTED).
import type { ResumePoint } from './session-frames.js';

export interface GrepHit {
  sessionId: string;
  /** Seconds since the start of the recording when the text appeared. */
  t: number;
  /** The line of screen text that matched. */
  line: string;
}

/** How far the screen index of a recording got. */
export interface IndexProgress {
  /** waiting: queued behind other recordings; building: keyframes up to indexedSeconds exist; ready: all. */
  state: 'waiting' | 'building' | 'ready';
  indexedSeconds: number;
  /** The index's duration once ready, else null. */
  durationSeconds: number | null;
}

export interface ScreenSource {
  /** The keyframe at or before `t` seconds, or null (no keyframe built yet: play from the start). */
  keyframe(sessionId: string, recordingPath: string, t: number, signal?: AbortSignal): Promise<ResumePoint | null>;
  grep(query: string, limit: number, signal?: AbortSignal): Promise<GrepHit[]>;
  /** The text of the last screen, or null while the recording is not indexed. */
  finalText(sessionId: string, recordingPath: string, signal?: AbortSignal): Promise<string | null>;
  /** Duration in seconds from the index, or null while the recording is not indexed (never starts a build). */
  duration(sessionId: string, recordingPath: string): Promise<number | null>;
  /** How far indexing got (and starts it, before any other waiting recording). */
  progress(sessionId: string, recordingPath: string): Promise<IndexProgress>;
}
