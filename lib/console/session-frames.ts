// A recording as the player's timeline: output, resizes and markers (joins, leaves) in seconds
// since the start, read part by part from the file. Output before the requested start is merged
// into large chunks, which the player draws at once to reach the moment it seeks to.
import { createReadStream } from 'node:fs';
import { ProtoReader } from '../stream/proto-reader.js';
import { TerminalReader } from '../cli/terminal-reader.js';

export type PlayerFrame =
  /** Output bytes (base64) at t; `i` is the print event's index. */
  | { t: number; i: number; o: string }
  /** The terminal was resized to [cols, rows]. */
  | { t: number; i: number; r: [number, number] }
  /** A participant joined or left. */
  | { t: number; i: number; m: 'join' | 'leave'; u: string };

export interface FrameRange {
  /** Start of the playback in seconds: output before it comes merged (default 0). */
  fromSeconds?: number;
  /** Skip events with a smaller index (resuming a stream). */
  fromIndex?: number;
  signal?: AbortSignal;
}

const CATCH_UP_BYTES = 256 * 1024;

function openReader(path: string): ProtoReader {
  return new ProtoReader(createReadStream(path, { highWaterMark: 256 * 1024 }));
}

function userOf(event: Record<string, unknown>): string {
  const user = event.User as { User?: unknown } | undefined;
  return typeof user?.User === 'string' ? user.User : '';
}

/** The timeline's frames, never holding more than one part plus one catch-up chunk. */
export async function* playerFrames(path: string, range: FrameRange = {}): AsyncGenerator<PlayerFrame> {
  const from = range.fromSeconds ?? 0;
  const fromIndex = range.fromIndex ?? 0;
  const reader = openReader(path);
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
  try {
    for await (const frame of new TerminalReader(reader).frames()) {
      range.signal?.throwIfAborted();
      const index = frame.event.Metadata.Index;
      if (index < fromIndex) continue;
      if (frame.kind === 'output') {
        if (frame.t < from) {
          pending.push(Buffer.from(frame.data));
          pendingBytes += frame.data.length;
          pendingT = frame.t;
          pendingI = index;
          if (pendingBytes >= CATCH_UP_BYTES) yield* flush();
          continue;
        }
        yield* flush();
        yield { t: frame.t, i: index, o: Buffer.from(frame.data).toString('base64') };
      } else if (frame.kind === 'resize') {
        yield* flush();
        yield { t: frame.t, i: index, r: [frame.size.cols, frame.size.rows] };
      } else {
        const type = frame.event.Metadata.Type;
        if (type === 'session.join' || type === 'session.leave') {
          yield* flush();
          yield { t: frame.t, i: index, m: type === 'session.join' ? 'join' : 'leave', u: userOf(frame.event) };
        }
      }
    }
    yield* flush();
  } finally {
    await reader.close();
  }
}

export interface RecordingOutline {
  /** Seconds from the start to the last event. */
  duration: number;
  /** Terminal size at the start (from session.start or the first resize). */
  cols: number;
  rows: number;
  user: string;
  /** ISO time of the session start; null when the recording does not say. */
  start: string | null;
  events: number;
  outputBytes: number;
  /** Resizes, joins and leaves, for the seek bar (at most 1000: a marker per pixel is plenty). */
  markers: { t: number; kind: 'resize' | 'join' | 'leave'; label: string }[];
}

const MAX_MARKERS = 1000;

export type RecordingHead = Pick<RecordingOutline, 'cols' | 'rows' | 'user' | 'start'>;

/** Size, user and start from the events before the first output (reads one part or so). */
export async function recordingHead(path: string, signal?: AbortSignal): Promise<RecordingHead> {
  const reader = openReader(path);
  try {
    signal?.throwIfAborted();
    const info = await new TerminalReader(reader).open();
    return { cols: info.size?.cols ?? 80, rows: info.size?.rows ?? 24, user: info.user, start: info.start ? info.start.toDate().toISOString() : null };
  } finally {
    await reader.close();
  }
}

/** One pass over the recording, keeping only counts and markers. */
export async function outlineRecording(path: string, signal?: AbortSignal): Promise<RecordingOutline> {
  const reader = openReader(path);
  try {
    const terminal = new TerminalReader(reader);
    const info = await terminal.open();
    const outline: RecordingOutline = {
      duration: 0, cols: info.size?.cols ?? 80, rows: info.size?.rows ?? 24, user: info.user, start: info.start ? info.start.toDate().toISOString() : null, events: 0, outputBytes: 0, markers: [],
    };
    for await (const frame of terminal.frames()) {
      signal?.throwIfAborted();
      outline.events++;
      outline.duration = Math.max(outline.duration, frame.t);
      if (frame.kind === 'output') outline.outputBytes += frame.data.length;
      else if (outline.markers.length < MAX_MARKERS) {
        if (frame.kind === 'resize') outline.markers.push({ t: frame.t, kind: 'resize', label: `${frame.size.cols}x${frame.size.rows}` });
        else if (frame.event.Metadata.Type === 'session.join') outline.markers.push({ t: frame.t, kind: 'join', label: userOf(frame.event) });
        else if (frame.event.Metadata.Type === 'session.leave') outline.markers.push({ t: frame.t, kind: 'leave', label: userOf(frame.event) });
      }
    }
    return outline;
  } finally {
    await reader.close();
  }
}
