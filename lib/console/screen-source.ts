// What the console asks of the screen index (lib/screen, lib/index-store): the screen nearest a
// moment, search in what was on screen, the final screen's text. The server runs without one
// (the player then replays from the start to seek, and grep answers UNSUPPORTED).
export interface Keyframe {
  /** Seconds since the start of the recording. */
  t: number;
  /** Index of the first event after the keyframe: the stream resumes there. */
  index: number;
  cols: number;
  rows: number;
  /** Bytes (escape sequences) that redraw the screen on a reset terminal. */
  data: Uint8Array;
}

export interface GrepHit {
  sessionId: string;
  /** Seconds since the start of the recording when the text appeared. */
  t: number;
  /** The line of screen text that matched. */
  line: string;
}

export interface ScreenSource {
  keyframe(sessionId: string, recordingPath: string, t: number, signal?: AbortSignal): Promise<Keyframe | null>;
  grep(query: string, limit: number, signal?: AbortSignal): Promise<GrepHit[]>;
  finalText(sessionId: string, recordingPath: string, signal?: AbortSignal): Promise<string | null>;
}
