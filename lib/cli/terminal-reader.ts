// Reads a recording as a terminal: output chunks and resizes on one timeline in seconds since the
// session start. Print events carry their own timing (DelayMilliseconds, milliseconds since the
// first print), placed after the first print's own time since the session start; when a print's
// timestamp agrees with that to within a millisecond (recordings that auditcast imported), the
// finer time from the timestamp is used instead, so microsecond timing survives a round trip.
// Other events (resize) are placed by their timestamps.
import type { AuditEvent } from '../events/event.js';
import type { Timestamp } from '../events/timestamp.js';
import type { ProtoReader } from '../stream/proto-reader.js';

export interface TerminalSize {
  cols: number;
  rows: number;
}

export type TerminalFrame =
  | { kind: 'output'; t: number; data: Uint8Array; event: AuditEvent }
  | { kind: 'resize'; t: number; size: TerminalSize; event: AuditEvent }
  | { kind: 'other'; t: number; event: AuditEvent };

export interface SessionInfo {
  sessionId: string;
  /** Time of session.start (or of the first event). */
  start: Timestamp | null;
  /** Size from session.start, else from the first resize before any output. */
  size: TerminalSize | null;
  title: string;
  command: string[];
  user: string;
}

/** "W:H" (Teleport) or "WxH" (asciicast) → size. */
export function parseTerminalSize(text: unknown): TerminalSize | null {
  if (typeof text !== 'string') return null;
  const m = /^(\d{1,5})[:x](\d{1,5})$/.exec(text.trim());
  if (!m) return null;
  const cols = Number(m[1]);
  const rows = Number(m[2]);
  return cols > 0 && rows > 0 ? { cols, rows } : null;
}

function nested(event: AuditEvent, message: string, field: string): unknown {
  const m = event[message];
  return m && typeof m === 'object' ? (m as Record<string, unknown>)[field] : undefined;
}

export function sessionIdOf(event: AuditEvent): string {
  const sid = nested(event, 'Session', 'SessionID');
  return typeof sid === 'string' ? sid : '';
}

function secondsBetween(from: Timestamp, to: Timestamp): number {
  return (to.seconds - from.seconds) + (to.nanos - from.nanos) / 1e9;
}

/**
 * Turns events into frames. Reads ahead to the first output so that `info` (size, title) is
 * complete before the first frame is handed out.
 */
export class TerminalReader {
  readonly info: SessionInfo = { sessionId: '', start: null, size: null, title: '', command: [], user: '' };
  private lastT = 0;
  /** Seconds from the session start to the first print (its DelayMilliseconds is 0). */
  private printBase: number | null = null;
  private readonly pending: TerminalFrame[] = [];
  private sawOutput = false;
  private done = false;

  constructor(private readonly reader: ProtoReader) {}

  /** Reads until the first output (or the end), filling `info`. */
  async open(): Promise<SessionInfo> {
    while (!this.sawOutput && !this.done) {
      const frame = await this.next();
      if (frame) this.pending.push(frame);
    }
    return this.info;
  }

  async *frames(): AsyncGenerator<TerminalFrame> {
    await this.open();
    while (this.pending.length > 0) yield this.pending.shift()!;
    for (;;) {
      const frame = await this.next();
      if (!frame) return;
      yield frame;
    }
  }

  private async next(): Promise<TerminalFrame | null> {
    const event = await this.reader.read();
    if (!event) {
      this.done = true;
      return null;
    }
    const info = this.info;
    const time = event.Metadata.Time;
    if (!info.start && time && !time.isZero()) info.start = time;
    if (!info.sessionId) info.sessionId = sessionIdOf(event);
    const type = event.Metadata.Type;
    if (type === 'session.start') {
      if (time && !time.isZero()) info.start = time;
      info.size ??= parseTerminalSize(event.TerminalSize);
      if (typeof event.Reason === 'string') info.title = event.Reason;
      if (Array.isArray(event.InitialCommand)) info.command = event.InitialCommand as string[];
      const user = nested(event, 'User', 'User');
      if (typeof user === 'string') info.user = user;
      return { kind: 'other', t: this.lastT, event };
    }
    if (type === 'print' && event.Data instanceof Uint8Array) {
      this.sawOutput = true;
      const precise = info.start && time && !time.isZero() ? secondsBetween(info.start, time) : null;
      const ms = Number(event.DelayMilliseconds ?? 0) / 1000;
      this.printBase ??= Math.max(0, (precise ?? 0) - ms);
      const byMs = this.printBase + ms;
      let t = byMs;
      if (precise !== null && precise >= byMs && precise - byMs < 0.001) t = precise;
      return { kind: 'output', t: this.advance(t), data: event.Data, event };
    }
    const t = info.start && time && !time.isZero() ? secondsBetween(info.start, time) : this.lastT;
    if (type === 'resize') {
      const size = parseTerminalSize(event.TerminalSize);
      if (size) {
        if (!this.sawOutput && !info.size) info.size = size;
        return { kind: 'resize', t: this.advance(t), size, event };
      }
    }
    // Other events (join, leave, end) do not move the output clock: their wall-clock times may run
    // ahead of the print timing of Teleport recordings.
    return { kind: 'other', t: Math.max(this.lastT, t), event };
  }

  private advance(t: number): number {
    this.lastT = Math.max(this.lastT, t);
    return this.lastT;
  }
}
