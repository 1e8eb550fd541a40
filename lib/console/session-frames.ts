// A recording as the player's timeline: output, resizes and markers (joins, leaves) in seconds
// since the start, on the screen index's clock (SessionClock), read part by part from the file.
// A stream may start at a keyframe (its part offset, record and clock): then the screen comes
// first, as one frame, and only the events after it are read. Output before the requested start
// is merged into large chunks, which the player draws at once to reach the moment it seeks to.
import type { AuditEvent } from '../events/event.js';
import { parseTerminalSize } from '../screen/screen-model.js';
import { type ClockState, SessionClock } from '../screen/session-clock.js';
import type { PartResume } from '../stream/part-checkpoints.js';
import { readRecordingFrom } from '../stream/positioned-reader.js';

export type PlayerFrame =
  /** Output bytes (base64) at t; `i` is the print event's index. */
  | { t: number; i: number; o: string }
  /** The terminal was resized to [cols, rows]. */
  | { t: number; i: number; r: [number, number] }
  /** A participant joined or left. */
  | { t: number; i: number; m: 'join' | 'leave'; u: string }
  /** A keyframe: reset to [cols, rows] and draw `k` (base64), the screen after event i. */
  | { t: number; i: number; k: string; r: [number, number] };

/** Where a stream resumes: a keyframe of the screen index. */
export interface ResumePoint {
  /** Milliseconds since the start of the last event applied before the keyframe. */
  timeMs: number;
  /** Metadata.Index of that event. */
  eventIndex: number;
  partOffset: number;
  recordIndex: number;
  /** Inside a large part: where inflating starts (a chunk boundary), so a seek never inflates a whole part. */
  partResume?: PartResume;
  clock: ClockState;
  cols: number;
  rows: number;
  /** Escape sequences that redraw the screen on a fresh terminal. */
  data: string;
}

export interface FrameRange {
  /** Start of the playback in seconds: output before it comes merged (default 0). */
  fromSeconds?: number;
  /** Skip events with a smaller index (resuming a stream). */
  fromIndex?: number;
  /** Start reading at this keyframe instead of the beginning. */
  resume?: ResumePoint | null;
  signal?: AbortSignal;
}

const CATCH_UP_BYTES = 256 * 1024;

function userOf(event: AuditEvent): string {
  const user = event.User as { User?: unknown } | undefined;
  return typeof user?.User === 'string' ? user.User : '';
}

/** The timeline's frames, inflated as they are read: a step of a part plus one catch-up chunk in memory. */
export async function* playerFrames(path: string, range: FrameRange = {}): AsyncGenerator<PlayerFrame> {
  const from = range.fromSeconds ?? 0;
  const fromIndex = range.fromIndex ?? 0;
  const resume = range.resume ?? null;
  const clock = new SessionClock(resume?.clock);
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  let pendingT = 0;
  let pendingI = 0;
  function* flush(): Generator<PlayerFrame> {
    if (pendingBytes === 0) return;
    yield { t: pendingT, i: pendingI, o: Buffer.concat(pending).toString('base64') };
    pending = [];
    pendingBytes = 0;
  }
  if (resume) yield { t: resume.timeMs / 1000, i: resume.eventIndex, k: Buffer.from(resume.data).toString('base64'), r: [resume.cols, resume.rows] };
  const events = readRecordingFrom(path, {
    partOffset: resume?.partOffset ?? 0, recordIndex: resume?.recordIndex ?? 0, afterIndex: resume?.eventIndex ?? -1, signal: range.signal,
    resume: resume?.partResume, stepwise: true,
  });
  for await (const { event } of events) {
    const t = clock.timeOf(event) / 1000;
    const index = event.Metadata.Index;
    if (index < fromIndex) continue;
    const type = event.Metadata.Type;
    if (type === 'print' && event.Data instanceof Uint8Array) {
      if (t < from) {
        pending.push(Buffer.from(event.Data));
        pendingBytes += event.Data.length;
        pendingT = t;
        pendingI = index;
        if (pendingBytes >= CATCH_UP_BYTES) yield* flush();
        continue;
      }
      yield* flush();
      yield { t, i: index, o: Buffer.from(event.Data).toString('base64') };
    } else if (type === 'resize') {
      const size = parseTerminalSize(event.TerminalSize);
      if (!size) continue;
      yield* flush();
      yield { t, i: index, r: [size.cols, size.rows] };
    } else if (type === 'session.join' || type === 'session.leave') {
      yield* flush();
      yield { t, i: index, m: type === 'session.join' ? 'join' : 'leave', u: userOf(event) };
    }
  }
  yield* flush();
}

export interface RecordingHead {
  /** Terminal size at the start (from session.start or the first resize before any output). */
  cols: number;
  rows: number;
  user: string;
  /** ISO time of the session start; null when the recording does not say. */
  start: string | null;
}

export interface RecordingOutline extends RecordingHead {
  /** Seconds from the start to the last event. */
  duration: number;
  events: number;
  outputBytes: number;
  /** Resizes, joins and leaves, for the seek bar (at most 1000: a marker per pixel is plenty). */
  markers: { t: number; kind: 'resize' | 'join' | 'leave'; label: string }[];
}

const MAX_MARKERS = 1000;

/** One pass over the recording (or up to the first output with `headOnly`), keeping counts and markers. */
async function scan(path: string, headOnly: boolean, signal?: AbortSignal): Promise<RecordingOutline> {
  const clock = new SessionClock();
  const outline: RecordingOutline = { cols: 0, rows: 0, user: '', start: null, duration: 0, events: 0, outputBytes: 0, markers: [] };
  let sawOutput = false;
  for await (const { event } of readRecordingFrom(path, { signal, stepwise: true })) {
    const t = clock.timeOf(event) / 1000;
    outline.events++;
    outline.duration = Math.max(outline.duration, t);
    const type = event.Metadata.Type;
    if (type === 'session.start') {
      const size = parseTerminalSize(event.TerminalSize);
      if (size && !outline.cols) ({ cols: outline.cols, rows: outline.rows } = size);
      outline.user ||= userOf(event);
    }
    if (type === 'print') {
      sawOutput = true;
      if (headOnly) break;
      if (event.Data instanceof Uint8Array) outline.outputBytes += event.Data.length;
    } else if (type === 'resize') {
      const size = parseTerminalSize(event.TerminalSize);
      if (size && !sawOutput && !outline.cols) ({ cols: outline.cols, rows: outline.rows } = size);
      if (size && outline.markers.length < MAX_MARKERS) outline.markers.push({ t, kind: 'resize', label: `${size.cols}x${size.rows}` });
    } else if ((type === 'session.join' || type === 'session.leave') && outline.markers.length < MAX_MARKERS) {
      outline.markers.push({ t, kind: type === 'session.join' ? 'join' : 'leave', label: userOf(event) });
    }
  }
  if (clock.startMs !== null) outline.start = new Date(clock.startMs).toISOString();
  if (!outline.cols) Object.assign(outline, { cols: 80, rows: 24 });
  return outline;
}

/** Size, user and start from the events before the first output (reads one part or so). */
export async function recordingHead(path: string, signal?: AbortSignal): Promise<RecordingHead> {
  const { cols, rows, user, start } = await scan(path, true, signal);
  return { cols, rows, user, start };
}

export function outlineRecording(path: string, signal?: AbortSignal): Promise<RecordingOutline> {
  return scan(path, false, signal);
}
