// Calls to the console's JSON API (same origin: the HttpOnly cookie goes along by itself).
export class ApiError extends Error {
  constructor(readonly status: number, readonly code: string, message: string) {
    super(message);
  }
}

export async function getJson<T>(path: string, params: Record<string, string | number | undefined> = {}, signal?: AbortSignal): Promise<T> {
  const search = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== '') search.set(k, String(v));
  const query = search.toString();
  const res = await fetch(query ? `${path}?${query}` : path, { signal, credentials: 'same-origin' });
  const body = await res.json().catch(() => null) as { error?: { code: string; message: string } } | null;
  if (!res.ok) throw new ApiError(res.status, body?.error?.code ?? 'HTTP', body?.error?.message ?? `HTTP ${res.status}`);
  return body as T;
}

export interface SessionSummary {
  sessionId: string;
  start: string | null;
  end: string | null;
  durationMs: number | null;
  user: string;
  host: string;
  bytes: number | null;
  source: 'session.end' | 'recording';
}

/** What the player starts with: the duration only when the server already knows it. */
export interface SessionHead {
  sessionId: string;
  bytes: number;
  cols: number;
  rows: number;
  user: string;
  start: string | null;
  duration: number | null;
}

export interface Outline extends SessionHead {
  duration: number;
  events: number;
  outputBytes: number;
  markers: { t: number; kind: 'resize' | 'join' | 'leave'; label: string }[];
}

/** The duration and how far the screen index got (seeks up to indexedSeconds start at a keyframe). */
export interface Progress {
  sessionId: string;
  duration: number;
  index: { state: 'waiting' | 'building' | 'ready'; indexedSeconds: number } | null;
}

export interface GrepHit {
  sessionId: string;
  t: number;
  line: string;
}
