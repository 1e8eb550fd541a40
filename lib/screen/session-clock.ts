// Milliseconds since the session start for each event of a recording, on one timeline: print events
// by their own DelayMilliseconds (milliseconds since the first print), placed after the first
// print's time since the session start; other events (resize, end) by their timestamps. Never
// goes backwards. Its whole state is three numbers, so a keyframe can carry it.
import type { AuditEvent } from '../events/event.js';

export interface ClockState {
  /** Epoch milliseconds of the session start (session.start or the first timestamped event). */
  startMs: number | null;
  /** Milliseconds from the start to the first print, minus that print's DelayMilliseconds. */
  printBaseMs: number | null;
  lastMs: number;
}

export class SessionClock {
  private state: ClockState;

  constructor(state?: ClockState) {
    this.state = state ? { ...state } : { startMs: null, printBaseMs: null, lastMs: 0 };
  }

  snapshot(): ClockState {
    return { ...this.state };
  }

  get startMs(): number | null {
    return this.state.startMs;
  }

  /** What `timeOf` will say for `event`, without moving the clock. */
  peek(event: AuditEvent): number {
    return new SessionClock(this.state).timeOf(event);
  }

  /** The event's time in milliseconds since the session start; moves the clock to it. */
  timeOf(event: AuditEvent): number {
    const s = this.state;
    const time = event.Metadata.Time;
    const epochMs = time && !time.isZero() ? time.toMillis() : null;
    if (epochMs !== null && (s.startMs === null || event.Metadata.Type === 'session.start' && s.lastMs === 0)) s.startMs = epochMs;
    const sinceStart = s.startMs !== null && epochMs !== null ? epochMs - s.startMs : null;
    let t: number;
    if (event.Metadata.Type === 'print') {
      const delay = Number(event.DelayMilliseconds ?? 0);
      s.printBaseMs ??= Math.max(0, (sinceStart ?? 0) - delay);
      t = s.printBaseMs + delay;
    } else {
      t = sinceStart ?? s.lastMs;
    }
    if (!(t >= s.lastMs)) t = s.lastMs; // also catches NaN
    s.lastMs = t;
    return t;
  }
}
