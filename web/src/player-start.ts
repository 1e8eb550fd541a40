// What the player page asks first, asked by the entry script before xterm.js (most of the bytes)
// has loaded: the recording's head and the stream from the moment in the URL, at once and in
// parallel, so the first frame waits for one round trip, not a chain of them.
import { getJson, type SessionHead } from './api.js';
import { FrameStream } from './frame-stream.js';

export interface PlayerStart {
  head: Promise<SessionHead>;
  /** The moment `?t=` asks for (0 without one). */
  t: number;
  stream: FrameStream;
}

export function startPlayer(sessionId: string): PlayerStart {
  const asked = Number(new URLSearchParams(location.search).get('t') ?? '0');
  const t = Number.isFinite(asked) && asked > 0 ? asked : 0;
  const base = `/api/sessions/${encodeURIComponent(sessionId)}`;
  const head = getJson<SessionHead>(base);
  head.catch(() => undefined); // shown by the page, which awaits it
  return { head, t, stream: new FrameStream(`${base}/stream?t=${t}`) };
}
