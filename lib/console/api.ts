// The console's read-only JSON API. Every parameter is parsed here, once, with messages that name
// it; the handlers below trust what they get.
import type { AuditEvent } from '../events/event.js';
import { marshalEventJson } from '../events/event-json.js';
import { badParameter, notFound } from '../errors.js';
import { EventsIterationLimit, EventsMaxIterationLimit } from '../auditlog/constants.js';
import type { EventOrder, EventSearcher } from '../auditlog/search-types.js';
import { checkConsoleSessionId, type RecordingStore } from './recordings.js';
import type { ScreenSource } from './screen-source.js';
import { outlineRecording, playerFrames, type PlayerFrame, recordingHead, type RecordingOutline } from './session-frames.js';
import { recordingDuration } from './recording-end.js';
import { listSessions } from './sessions.js';

export interface ApiContext {
  /** The audit log behind SearchEventsLimiter: one token per API request... */
  limited: EventSearcher;
  /** ...which then reads further pages from the log itself. */
  log: EventSearcher;
  recordings: RecordingStore;
  screen: ScreenSource | null;
  clock: () => number;
}

export type Query = URLSearchParams;

const EVENT_TYPE = /^[a-z0-9_.:-]{1,64}$/i;
const EVENT_UID = /^[A-Za-z0-9_.:-]{1,128}$/;
const START_KEY = /^[A-Za-z0-9_.:-]{1,256}$/;
/** Underlying pages read for one filtered page, so a rare filter cannot scan a whole log in one request. */
const FILTER_PAGES = 20;
const MAX_GREP_HITS = 500;

function one(q: Query, name: string): string | undefined {
  const all = q.getAll(name);
  if (all.length > 1) throw badParameter(`parameter ${name} given ${all.length} times`);
  return all[0];
}

export function timeParam(q: Query, name: string, fallback: Date): Date {
  const v = one(q, name);
  if (v === undefined || v === '') return fallback;
  const ms = /^\d{1,16}$/.test(v) ? Number(v) : Date.parse(v);
  if (!Number.isFinite(ms) || ms < 0 || ms > 253402300799999) throw badParameter(`parameter ${name}: not a time: ${JSON.stringify(v.slice(0, 64))}`);
  return new Date(ms);
}

export function numberParam(q: Query, name: string, min: number, max: number): number | undefined {
  const v = one(q, name);
  if (v === undefined || v === '') return undefined;
  const n = Number(v);
  if (!/^[0-9.]+$/.test(v) || !Number.isFinite(n) || n < min || n > max) throw badParameter(`parameter ${name} must be a number in [${min}, ${max}], got ${JSON.stringify(v.slice(0, 64))}`);
  return n;
}

function textParam(q: Query, name: string, maxLength: number): string {
  const v = one(q, name) ?? '';
  if (v.length > maxLength) throw badParameter(`parameter ${name} is longer than ${maxLength} characters`);
  return v;
}

export function checkParams(q: Query, known: readonly string[]): void {
  for (const name of q.keys()) if (!known.includes(name)) throw badParameter(`unknown parameter ${JSON.stringify(name.slice(0, 64))}`);
}

function eventObject(event: AuditEvent): Record<string, unknown> {
  return JSON.parse(marshalEventJson(event)) as Record<string, unknown>;
}

/** Case-insensitive match of a free-text filter against the event's JSON. */
function matches(json: string, fields: Record<string, unknown>, user: string, text: string): boolean {
  if (user && fields.user !== user) return false;
  return !text || json.toLowerCase().includes(text);
}

export interface EventsPage {
  events: Record<string, unknown>[];
  lastKey: string;
}

/**
 * GET /api/events: Teleport's SearchEvents fields (from, to, types, limit, order, startKey), plus
 * user and free-text filters. A filtered page reads underlying pages until it is full, and its
 * lastKey is the key of the last event it looked at, so the next page starts right after.
 */
export async function searchEventsApi(ctx: ApiContext, q: Query, signal: AbortSignal): Promise<EventsPage> {
  checkParams(q, ['from', 'to', 'types', 'limit', 'order', 'startKey', 'user', 'q']);
  const to = timeParam(q, 'to', new Date(ctx.clock()));
  const from = timeParam(q, 'from', new Date(to.getTime() - 7 * 24 * 3600 * 1000));
  if (to < from) throw badParameter('parameter to is before from');
  const types = (one(q, 'types') ?? '').split(',').filter((t) => t !== '');
  for (const t of types) if (!EVENT_TYPE.test(t)) throw badParameter(`parameter types: invalid event type ${JSON.stringify(t.slice(0, 64))}`);
  const limit = numberParam(q, 'limit', 1, EventsMaxIterationLimit) ?? EventsIterationLimit;
  if (!Number.isSafeInteger(limit)) throw badParameter('parameter limit must be an integer');
  const order = (one(q, 'order') ?? 'desc') as EventOrder;
  if (order !== 'asc' && order !== 'desc') throw badParameter('parameter order must be asc or desc');
  let startKey = one(q, 'startKey') || undefined;
  if (startKey !== undefined && !START_KEY.test(startKey)) throw badParameter('parameter startKey is not a key this server hands out');
  const user = textParam(q, 'user', 256);
  const text = textParam(q, 'q', 256).toLowerCase();

  if (!user && !text) {
    const page = await ctx.limited.searchEvents({ from, to, eventTypes: types, limit, order, startKey, signal });
    return { events: page.events.map(eventObject), lastKey: page.lastKey };
  }
  // Each underlying page asks for no more events than are missing, so a page never ends in the
  // middle of one: its lastKey is one the log handed out (an event's own key may not be unique).
  const events: Record<string, unknown>[] = [];
  for (let pages = 0; pages < FILTER_PAGES; pages++) {
    const searcher = pages === 0 ? ctx.limited : ctx.log;
    const page = await searcher.searchEvents({ from, to, eventTypes: types, limit: limit - events.length, order, startKey, signal });
    for (const event of page.events) {
      const json = marshalEventJson(event);
      const fields = JSON.parse(json) as Record<string, unknown>;
      if (matches(json, fields, user, text)) events.push(fields);
    }
    if (!page.lastKey || events.length === limit) return { events, lastKey: page.lastKey };
    startKey = page.lastKey;
  }
  return { events, lastKey: startKey ?? '' };
}

/** GET /api/event?uid=U&time=T: one event, found by its id near its time. */
export async function getEventApi(ctx: ApiContext, q: Query, signal: AbortSignal): Promise<Record<string, unknown>> {
  checkParams(q, ['uid', 'time']);
  const uid = one(q, 'uid') ?? '';
  if (!EVENT_UID.test(uid)) throw badParameter('parameter uid: not an event id');
  const time = timeParam(q, 'time', new Date(NaN));
  if (Number.isNaN(time.getTime())) throw badParameter('parameter time is required');
  const from = new Date(time.getTime() - 1000);
  const to = new Date(time.getTime() + 1000);
  let startKey: string | undefined;
  for (let pages = 0; pages < FILTER_PAGES; pages++) {
    const page = await (pages === 0 ? ctx.limited : ctx.log).searchEvents({ from, to, limit: 1000, order: 'asc', startKey, signal });
    const found = page.events.find((e) => e.Metadata.ID === uid);
    if (found) return eventObject(found);
    if (!page.lastKey) break;
    startKey = page.lastKey;
  }
  throw notFound(`no event ${uid} near ${time.toISOString()}`);
}

export async function sessionsApi(ctx: ApiContext, q: Query, signal: AbortSignal) {
  checkParams(q, ['from', 'to']);
  const to = timeParam(q, 'to', new Date(ctx.clock()));
  const from = timeParam(q, 'from', new Date(0));
  if (to < from) throw badParameter('parameter to is before from');
  return { sessions: await listSessions(ctx.limited, ctx.log, ctx.recordings, from, to, signal) };
}

/** Outlines by file, computed once (a full pass over a large recording takes seconds). */
const outlines = new Map<string, Promise<RecordingOutline>>();

/** Outline passes run one at a time: each is a full pass over a recording (seconds for a large one). */
let outlineQueue: Promise<unknown> = Promise.resolve();

function outlineOf(path: string, key: string): Promise<RecordingOutline> {
  let outline = outlines.get(key);
  if (!outline) {
    outline = outlineQueue.then(() => outlineRecording(path));
    outlineQueue = outline.catch(() => undefined);
    outlines.set(key, outline);
    outline.catch(() => outlines.delete(key));
    if (outlines.size > 256) outlines.delete(outlines.keys().next().value!);
  }
  return outline;
}

/**
 * GET /api/sessions/SID: what the player needs to start at once (size, user, start), read from
 * the recording's first events; the duration only when already known (else null).
 */
export async function sessionHeadApi(ctx: ApiContext, sessionId: string, q: Query, signal: AbortSignal) {
  checkParams(q, []);
  const rec = await ctx.recordings.get(checkConsoleSessionId(sessionId));
  const key = `${rec.path}\0${rec.mtimeMs}\0${rec.bytes}`;
  const known = outlines.get(key);
  const settled = known ? await Promise.race([known, Promise.resolve(null)]).catch(() => null) : null;
  const head = settled ?? (await recordingHead(rec.path, signal));
  const indexed = settled || !ctx.screen ? null : await ctx.screen.duration(rec.sessionId, rec.path);
  return {
    sessionId: rec.sessionId, bytes: rec.bytes, cols: head.cols, rows: head.rows, user: head.user, start: head.start,
    duration: settled ? settled.duration : indexed,
  };
}

/** Durations read from the recordings' ends, by file version. */
const durations = new Map<string, Promise<number>>();

function durationOf(path: string, key: string): Promise<number> {
  let duration = durations.get(key);
  if (!duration) {
    duration = recordingDuration(path);
    durations.set(key, duration);
    duration.catch(() => durations.delete(key));
    if (durations.size > 4096) durations.delete(durations.keys().next().value!);
  }
  return duration;
}

/**
 * GET /api/sessions/SID/progress: the duration (the index's, else read from the recording's end)
 * and how far the screen index got: seeks up to indexedSeconds start at a keyframe near them.
 * Asking moves the recording's index build to the front of the queue.
 */
export async function progressApi(ctx: ApiContext, sessionId: string, q: Query, signal: AbortSignal) {
  checkParams(q, []);
  const rec = await ctx.recordings.get(checkConsoleSessionId(sessionId));
  const key = `${rec.path}\0${rec.mtimeMs}\0${rec.bytes}`;
  const progress = ctx.screen ? await ctx.screen.progress(rec.sessionId, rec.path) : null;
  const duration = progress?.durationSeconds ?? await durationOf(rec.path, key);
  signal.throwIfAborted();
  return {
    sessionId: rec.sessionId, duration,
    index: progress ? { state: progress.state, indexedSeconds: Math.min(duration, progress.indexedSeconds) } : null,
  };
}

/** GET /api/sessions/SID/outline: duration and seek bar markers (one pass, cached). */
export async function outlineApi(ctx: ApiContext, sessionId: string, q: Query, signal: AbortSignal) {
  checkParams(q, []);
  const rec = await ctx.recordings.get(checkConsoleSessionId(sessionId));
  const outline = await outlineOf(rec.path, `${rec.path}\0${rec.mtimeMs}\0${rec.bytes}`);
  signal.throwIfAborted();
  return { sessionId: rec.sessionId, bytes: rec.bytes, ...outline };
}

/**
 * GET /api/sessions/SID/stream?t=SECONDS|index=N: the timeline as NDJSON frames. With a screen
 * index, a stream to a moment starts with the keyframe before it, so a seek reads only the events
 * between that keyframe and the moment.
 */
export async function streamFrames(ctx: ApiContext, sessionId: string, q: Query, signal: AbortSignal): Promise<AsyncGenerator<PlayerFrame>> {
  checkParams(q, ['t', 'index']);
  const rec = await ctx.recordings.get(checkConsoleSessionId(sessionId));
  const fromSeconds = numberParam(q, 't', 0, 1e9) ?? 0;
  const fromIndex = numberParam(q, 'index', 0, Number.MAX_SAFE_INTEGER) ?? 0;
  const resume = fromSeconds > 0 && fromIndex === 0 && ctx.screen ? await ctx.screen.keyframe(rec.sessionId, rec.path, fromSeconds, signal) : null;
  return playerFrames(rec.path, { fromSeconds, fromIndex, resume, signal });
}

/** GET /api/sessions/SID/keyframe?t=SECONDS: the index's keyframe at or before t (null without one). */
export async function keyframeApi(ctx: ApiContext, sessionId: string, q: Query, signal: AbortSignal) {
  checkParams(q, ['t']);
  const rec = await ctx.recordings.get(checkConsoleSessionId(sessionId));
  const t = numberParam(q, 't', 0, 1e9) ?? 0;
  const frame = ctx.screen ? await ctx.screen.keyframe(rec.sessionId, rec.path, t, signal) : null;
  if (!frame) return { keyframe: null };
  return { keyframe: { t: frame.timeMs / 1000, index: frame.eventIndex, cols: frame.cols, rows: frame.rows, data: frame.data } };
}

export async function previewApi(ctx: ApiContext, sessionId: string, q: Query, signal: AbortSignal) {
  checkParams(q, []);
  const rec = await ctx.recordings.get(checkConsoleSessionId(sessionId));
  return { text: ctx.screen ? await ctx.screen.finalText(rec.sessionId, rec.path, signal) : null };
}

export async function grepApi(ctx: ApiContext, q: Query, signal: AbortSignal) {
  checkParams(q, ['q', 'limit']);
  const text = textParam(q, 'q', 256);
  if (!text.trim()) throw badParameter('parameter q is required');
  const limit = numberParam(q, 'limit', 1, MAX_GREP_HITS) ?? 100;
  return { hits: ctx.screen ? await ctx.screen.grep(text, Math.floor(limit), signal) : null };
}
