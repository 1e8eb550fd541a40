// The sessions list: one row per session.end event in the window (Teleport's list), plus the
// recordings that have none (a crashed node, an imported file: Teleport's issue 11599).
import type { AuditEvent } from '../events/event.js';
import { marshalEventJson } from '../events/event-json.js';
import type { EventSearcher } from '../auditlog/search-types.js';
import type { RecordingStore, StoredRecording } from './recordings.js';
import { outlineRecording } from './session-frames.js';

export interface SessionSummary {
  sessionId: string;
  /** ISO times; null when unknown. */
  start: string | null;
  end: string | null;
  durationMs: number | null;
  user: string;
  host: string;
  /** Size of the recording file; null when there is no recording. */
  bytes: number | null;
  /** Where the row comes from. */
  source: 'session.end' | 'recording';
}

const MAX_SESSIONS = 1000;

function str(v: unknown): string {
  return typeof v === 'string' ? v : '';
}

function fromSessionEnd(event: AuditEvent): SessionSummary {
  const f = JSON.parse(marshalEventJson(event)) as Record<string, unknown>;
  const start = str(f.session_start) || null;
  const end = str(f.session_stop) || str(f.time) || null;
  const startMs = start ? Date.parse(start) : NaN;
  const endMs = end ? Date.parse(end) : NaN;
  return {
    sessionId: str(f.sid), start, end,
    durationMs: Number.isFinite(startMs) && Number.isFinite(endMs) && startMs > 0 ? Math.max(0, endMs - startMs) : null,
    user: str(f.user), host: str(f.server_hostname) || str(f.server_addr) || str(f.kubernetes_cluster) || str(f.db_service),
    bytes: null, source: 'session.end',
  };
}

/** Outlines of recordings without a session.end, by path and modification time. */
const outlineCache = new Map<string, Promise<SessionSummary>>();

function fromRecording(rec: StoredRecording): Promise<SessionSummary> {
  const key = `${rec.path}\0${rec.mtimeMs}\0${rec.bytes}`;
  let summary = outlineCache.get(key);
  if (!summary) {
    summary = outlineRecording(rec.path).then(
      (o) => ({ sessionId: rec.sessionId, start: o.start, end: null, durationMs: Math.round(o.duration * 1000), user: o.user, host: '', bytes: rec.bytes, source: 'recording' as const }),
      () => ({ sessionId: rec.sessionId, start: null, end: null, durationMs: null, user: '', host: '', bytes: rec.bytes, source: 'recording' as const }),
    );
    outlineCache.set(key, summary);
    if (outlineCache.size > 4096) outlineCache.delete(outlineCache.keys().next().value!);
  }
  return summary;
}

export async function listSessions(limited: EventSearcher, log: EventSearcher, store: RecordingStore, from: Date, to: Date, signal?: AbortSignal): Promise<SessionSummary[]> {
  const rows = new Map<string, SessionSummary>();
  let startKey: string | undefined;
  do {
    const page = await (startKey === undefined ? limited : log).searchEvents({ from, to, eventTypes: ['session.end'], order: 'desc', limit: 500, startKey, signal });
    for (const event of page.events) {
      const row = fromSessionEnd(event);
      if (row.sessionId && !rows.has(row.sessionId)) rows.set(row.sessionId, row);
    }
    startKey = page.lastKey || undefined;
  } while (startKey && rows.size < MAX_SESSIONS);
  for (const rec of await store.list()) {
    const known = rows.get(rec.sessionId);
    if (known) {
      known.bytes = rec.bytes;
      continue;
    }
    const row = await fromRecording(rec);
    const t = row.start ? Date.parse(row.start) : rec.mtimeMs;
    if (t >= from.getTime() && t <= to.getTime()) rows.set(rec.sessionId, row);
  }
  return [...rows.values()].sort((a, b) => (b.start ?? '').localeCompare(a.start ?? ''));
}
