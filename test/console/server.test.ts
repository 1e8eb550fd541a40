// The console's HTTP server on real data: the token, Host and method checks, headers, id
// validation, the events API paging the golden Teleport events, and recording streams.
import * as http from 'node:http';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FileLog } from '../../lib/auditlog/file-log.js';
import { IndexScreenSource, type ScreenIndex } from '../../lib/console/index-screen-source.js';
import { IndexThread } from '../../lib/console/index-thread.js';
import { lastPartOffset, recordingDuration } from '../../lib/console/recording-end.js';
import { DirRecordingStore } from '../../lib/console/recordings.js';
import { RecordingIndex } from '../../lib/index-store/recording-index.js';
import type { KeyframeEntry } from '../../lib/index-store/seek-file.js';
import type { ScreenSnapshot } from '../../lib/screen/screen-model.js';
import { type ConsoleServer, startConsoleServer } from '../../lib/console/server.js';
import { isAuditcastError } from '../../lib/errors.js';
import { loadScriptSession } from '../helpers/corpus.js';
import { BUILD_SID, type ConsoleData, makeConsoleData, TYPING_SID, XSS_USER } from './console-fixture.js';
import { writeLargeRecording } from './large-recording.js';

let data: ConsoleData;
let server: ConsoleServer;
let auth: Record<string, string>;
const ALL = 'from=2000-01-01T00:00:00Z&to=2030-01-01T00:00:00Z';

function rawGet(path: string, headers: Record<string, string>, method = 'GET'): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }> {
  const url = new URL(server.url);
  return new Promise((resolve, reject) => {
    const req = http.request({ host: url.hostname, port: url.port, path, method, headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => { body += c; });
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

async function getJson(path: string): Promise<{ status: number; body: any }> {
  const res = await fetch(server.url + path, { headers: auth });
  return { status: res.status, body: await res.json() };
}

let index: RecordingIndex;
let builds: IndexThread;
let screen: IndexScreenSource;

beforeAll(async () => {
  data = await makeConsoleData();
  const recordings = new DirRecordingStore(data.recordsDir);
  index = new RecordingIndex({ dir: join(data.root, 'index') });
  // As `auditcast serve` does: builds in a worker thread, reads here.
  builds = new IndexThread({ dir: index.dir });
  screen = new IndexScreenSource(index, builds);
  await screen.warm(await recordings.list());
  server = await startConsoleServer({
    listen: '127.0.0.1:0', log: new FileLog({ dir: data.logDir }), recordings, screen,
    searchLimit: { burst: 1000, refillAmount: 1000, refillTimeMs: 1000 },
  });
  auth = { authorization: `Bearer ${server.token}` };
});

afterAll(async () => {
  await server?.close();
  await screen?.close();
  await builds?.close();
  index?.close();
  data?.cleanup();
});

describe('access', () => {
  it('refuses requests without the token, and a wrong token', async () => {
    for (const path of ['/', '/sessions', '/api/events', `/api/sessions/${TYPING_SID}/stream`, '/assets/app.js']) {
      const res = await fetch(server.url + path, { redirect: 'manual' });
      expect(res.status, path).toBe(401);
      expect(await res.text()).not.toContain('session.end');
    }
    expect((await fetch(`${server.url}/?token=wrong-token-0123456789`, { redirect: 'manual' })).status).toBe(401);
    expect((await fetch(`${server.url}/api/events`, { headers: { authorization: 'Bearer nope' } })).status).toBe(401);
  });

  it('exchanges the token for an HttpOnly SameSite=Strict cookie that is not the token', async () => {
    const res = await fetch(`${server.url}/sessions?token=${server.token}`, { redirect: 'manual' });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/sessions');
    const cookie = res.headers.get('set-cookie')!;
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Strict/);
    const pair = cookie.split(';')[0]!;
    expect(pair).not.toContain(server.token);
    const api = await fetch(`${server.url}/api/events?${ALL}&limit=1`, { headers: { cookie: pair } });
    expect(api.status).toBe(200);
    expect((await fetch(`${server.url}/api/events`, { headers: { cookie: `${pair}x` } })).status).toBe(401);
  });

  it('answers only to its own Host (DNS rebinding)', async () => {
    const port = new URL(server.url).port;
    expect((await rawGet('/api/sessions', { host: `evil.example:${port}`, ...auth })).status).toBe(421);
    expect((await rawGet('/api/sessions', { host: `127.0.0.1:${Number(port) + 1}`, ...auth })).status).toBe(421);
    expect((await rawGet('/api/sessions', { host: `localhost:${port}`, ...auth })).status).toBe(200);
  });

  it('is read-only', async () => {
    for (const method of ['POST', 'PUT', 'DELETE', 'PATCH']) {
      expect((await rawGet('/api/events', { host: new URL(server.url).host, ...auth }, method)).status, method).toBe(405);
    }
  });

  it('sends a CSP without inline scripts, and no-frame, no-sniff headers', async () => {
    const res = await fetch(`${server.url}/api/sessions`, { headers: auth });
    const csp = res.headers.get('content-security-policy')!;
    const scriptSrc = csp.split(';').map((d) => d.trim()).find((d) => d.startsWith('script-src'));
    expect(scriptSrc).toBe("script-src 'self'");
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
  });

  it('refuses to listen beyond loopback without TLS or --insecure', async () => {
    const options = { log: new FileLog({ dir: data.logDir }), recordings: new DirRecordingStore(data.recordsDir) };
    const err = await startConsoleServer({ ...options, listen: '0.0.0.0:0' }).catch((e: unknown) => e);
    expect(isAuditcastError(err, 'BAD_PARAMETER')).toBe(true);
    expect((err as Error).message).toMatch(/without TLS/);
    const open = await startConsoleServer({ ...options, listen: '0.0.0.0:0', insecure: true });
    await open.close();
  });

  it('rate-limits searches with SearchEventsLimiter', async () => {
    const limited = await startConsoleServer({
      listen: '127.0.0.1:0', log: new FileLog({ dir: data.logDir }), recordings: new DirRecordingStore(data.recordsDir),
      searchLimit: { burst: 2, refillAmount: 1, refillTimeMs: 60_000 },
    });
    try {
      const statuses = [];
      for (let i = 0; i < 3; i++) statuses.push((await fetch(`${limited.url}/api/events?${ALL}`, { headers: { authorization: `Bearer ${limited.token}` } })).status);
      expect(statuses).toEqual([200, 200, 429]);
    } finally {
      await limited.close();
    }
  });
});

describe('validation', () => {
  it('rejects bad ids, unknown parameters and bad values with 400', async () => {
    for (const path of [
      '/api/sessions/..%2F..%2Fetc%2Fpasswd', '/api/sessions/a%00b/stream', `/api/sessions/${'a'.repeat(200)}`,
      '/api/events?limit=0', '/api/events?limit=abc', '/api/events?order=sideways', '/api/events?from=yesterday',
      '/api/events?types=%3Cscript%3E', '/api/events?startKey=%22%3E', '/api/events?bogus=1', '/api/event?uid=x&time=nope',
      `/api/sessions/${TYPING_SID}/stream?t=-1`, '/api/grep?q=',
    ]) {
      const res = await getJson(path);
      expect(res.status, path).toBe(400);
      expect(res.body.error.code, path).toBe('BAD_PARAMETER');
    }
    expect((await getJson('/api/sessions/no-such-session')).status).toBe(404);
  });
});

describe('events API', () => {
  it('pages through every event with Teleport keys, in both orders', async () => {
    for (const order of ['asc', 'desc']) {
      const uids: string[] = [];
      let key = '';
      let pages = 0;
      do {
        const { status, body } = await getJson(`/api/events?${ALL}&limit=40&order=${order}${key ? `&startKey=${key}` : ''}`);
        expect(status).toBe(200);
        expect(body.events.length).toBeLessThanOrEqual(40);
        for (const e of body.events) uids.push(`${e.uid}|${e.time}|${e.event}`);
        key = body.lastKey;
        pages++;
      } while (key);
      // 165 golden events + the XSS login + the typing session's 5 non-print events.
      expect(uids).toHaveLength(165 + 1 + 5);
      expect(pages).toBe(5);
      const times = uids.map((u) => Date.parse(u.split('|')[1]!));
      const sorted = [...times].sort((a, b) => (order === 'asc' ? a - b : b - a));
      expect(times).toEqual(sorted);
    }
  });

  it('filters by type, user and free text, and pages filtered results', async () => {
    const logins = await getJson(`/api/events?${ALL}&types=user.login&limit=1000`);
    expect(logins.body.events.length).toBeGreaterThan(1);
    expect(logins.body.events.every((e: any) => e.event === 'user.login')).toBe(true);
    const xss = await getJson(`/api/events?${ALL}&user=${encodeURIComponent(XSS_USER)}`);
    expect(xss.body.events.map((e: any) => e.user)).toEqual([XSS_USER]);
    const text = await getJson(`/api/events?${ALL}&q=ONERROR`);
    expect(text.body.events.map((e: any) => e.uid)).toEqual(['xss-login-0001']);
    const all: string[] = [];
    let key = '';
    do {
      const page = await getJson(`/api/events?${ALL}&user=alice&limit=2&order=asc${key ? `&startKey=${key}` : ''}`);
      expect(page.body.events.length).toBeLessThanOrEqual(2);
      all.push(...page.body.events.map((e: any) => e.uid));
      key = page.body.lastKey;
    } while (key);
    const direct = (await getJson(`/api/events?${ALL}&limit=1000&order=asc`)).body.events.filter((e: any) => e.user === 'alice').map((e: any) => e.uid);
    expect(all).toEqual(direct);
  });

  it('finds one event by uid and time', async () => {
    const { body } = await getJson('/api/event?uid=xss-login-0001&time=2021-06-01T12:00:00Z');
    expect(body.user).toBe(XSS_USER);
    expect((await getJson('/api/event?uid=nope&time=2021-06-01T12:00:00Z')).status).toBe(404);
  });
});

describe('sessions and recordings', () => {
  it('lists sessions from session.end events and recordings without one', async () => {
    const { body } = await getJson('/api/sessions');
    const typing = body.sessions.find((s: any) => s.sessionId === TYPING_SID);
    const build = body.sessions.find((s: any) => s.sessionId === BUILD_SID);
    expect(typing).toMatchObject({ source: 'session.end', user: 'alice', host: 'node-1', durationMs: 3582 });
    expect(typing.bytes).toBeGreaterThan(0);
    expect(build).toMatchObject({ source: 'recording', user: 'alice', start: '2026-01-02T11:00:00.000Z' });
  });

  it('outlines a recording with its markers', async () => {
    const head = await getJson(`/api/sessions/${BUILD_SID}`);
    expect(head.body).toMatchObject({ sessionId: BUILD_SID, cols: 80, rows: 24, user: 'alice', start: '2026-01-02T11:00:00.000Z' });
    const { body } = await getJson(`/api/sessions/${TYPING_SID}/outline`);
    expect(body).toMatchObject({ cols: 80, rows: 24, duration: 3.582, outputBytes: loadScriptSession('typing').bytes.length });
    expect(body.markers.map((m: any) => `${m.kind}:${m.label}`)).toEqual(['join:bob', 'resize:100x30', 'leave:bob']);
  });

  it('streams the output as NDJSON, whole from 0 and merged before t', async () => {
    const expected = loadScriptSession('build').bytes;
    // An index given (1 = the first print) reads from the start without a keyframe.
    for (const query of ['t=0', 'index=1&t=0.05', 'index=1&t=1000000']) {
      const res = await fetch(`${server.url}/api/sessions/${BUILD_SID}/stream?${query}`, { headers: auth });
      expect(res.headers.get('content-type')).toMatch(/ndjson/);
      const frames = (await res.text()).trim().split('\n').map((l) => JSON.parse(l));
      expect(frames.some((f) => f.k)).toBe(false);
      const out = Buffer.concat(frames.filter((f) => f.o).map((f) => Buffer.from(f.o, 'base64')));
      expect(out.equals(expected), query).toBe(true);
      const outputs = frames.filter((f) => f.o);
      if (query === 't=0') expect(outputs).toHaveLength(loadScriptSession('build').chunks.length);
      else expect(outputs.length).toBeLessThan(loadScriptSession('build').chunks.length);
      if (query.endsWith('1000000')) expect(outputs.length).toBeLessThanOrEqual(Math.ceil(expected.length / (256 * 1024)) + 1);
    }
  });

  it('starts a stream to a moment with the screen index\'s keyframe before it', async () => {
    const res = await fetch(`${server.url}/api/sessions/${TYPING_SID}/stream?t=3`, { headers: auth });
    const frames = (await res.text()).trim().split('\n').map((l) => JSON.parse(l));
    expect(frames[0].k).toBeTypeOf('string');
    expect(frames[0].t).toBeLessThanOrEqual(3);
    expect(frames[0].r).toEqual([expect.any(Number), expect.any(Number)]);
    expect(frames.slice(1).every((f: any) => f.k === undefined && f.i > frames[0].i)).toBe(true);
    const kf = await getJson(`/api/sessions/${TYPING_SID}/keyframe?t=3`);
    expect(kf.body.keyframe).toMatchObject({ t: frames[0].t, index: frames[0].i });
  });

  it('greps the screen text of every recording, and previews the final screen', async () => {
    const { body } = await getJson('/api/grep?q=os-release');
    expect(body.hits.length).toBeGreaterThan(0);
    const hit = body.hits.find((h: any) => h.sessionId === TYPING_SID);
    expect(hit.line).toContain('os-release');
    expect(hit.t).toBeGreaterThan(0);
    expect(hit.t).toBeLessThanOrEqual(3.582);
    const preview = await getJson(`/api/sessions/${TYPING_SID}/preview`);
    const final = await index.screenAt(TYPING_SID, join(data.recordsDir, `${TYPING_SID}.tar`), 3582);
    expect(preview.body.text).toBe(final.text.join('\n'));
    const head = await getJson(`/api/sessions/${TYPING_SID}`);
    expect(head.body.duration).toBeCloseTo(3.582, 3);
  });

  it('resumes a stream from an event index', async () => {
    const all = (await (await fetch(`${server.url}/api/sessions/${TYPING_SID}/stream`, { headers: auth })).text()).trim().split('\n').map((l) => JSON.parse(l));
    const from = all[40].i;
    const rest = (await (await fetch(`${server.url}/api/sessions/${TYPING_SID}/stream?index=${from}`, { headers: auth })).text()).trim().split('\n').map((l) => JSON.parse(l));
    expect(rest).toEqual(all.slice(40));
  });
});

describe('playing before the index is whole', () => {
  it('reads the duration from the recording\'s end, as a full pass finds it, also across parts', async () => {
    for (const sid of [TYPING_SID, BUILD_SID]) {
      const { body } = await getJson(`/api/sessions/${sid}/outline`);
      expect(await recordingDuration(join(data.recordsDir, `${sid}.tar`)), sid).toBeCloseTo(body.duration, 6);
    }
    // Parts cut every 64 KiB of gzip: many parts, and the duration still comes from the last one.
    const sid = 'b16b16b1-0000-4000-8000-0000000000aa';
    const large = await writeLargeRecording(data.recordsDir, sid, 2 * 1024 * 1024, undefined, 64 * 1024);
    expect(await lastPartOffset(large.path)).toBeGreaterThan(large.bytes / 2);
    expect(await recordingDuration(large.path)).toBeCloseTo(large.durationMs / 1000, 6);
    const progress = await getJson(`/api/sessions/${sid}/progress`);
    expect(progress.body.duration).toBeCloseTo(large.durationMs / 1000, 6);
    expect(['waiting', 'building', 'ready']).toContain(progress.body.index.state);
    const indexed = await getJson(`/api/sessions/${TYPING_SID}/progress`);
    expect(indexed.body).toEqual({ sessionId: TYPING_SID, duration: 3.582, index: { state: 'ready', indexedSeconds: 3.582 } });
  });

  it('seeks from the keyframes a running build has made so far, and from its last one beyond them', async () => {
    // A real index of the build session, whose build is held half way (as a long one is while it
    // runs): it hands the console the first half of its keyframes, then waits to be released.
    const recording = join(data.recordsDir, `${BUILD_SID}.tar`);
    const real = new RecordingIndex({ dir: join(data.root, 'index-held'), keyframeBytes: 2048 });
    let release!: () => void;
    const released = new Promise<void>((done) => { release = done; });
    const handed: [KeyframeEntry, ScreenSnapshot][] = [];
    const held: ScreenIndex = {
      seekPath: (sid) => join(data.root, 'no-index', `${sid}.seek`),
      seekPoint: (...args) => real.seekPoint(...args),
      screenAt: (...args) => real.screenAt(...args),
      search: (...args) => real.search(...args),
      async indexRecording(sid, path, options = {}) {
        const made: [KeyframeEntry, ScreenSnapshot][] = [];
        const result = await real.indexRecording(sid, path, { onKeyframe: (e, s) => made.push([e, s]) });
        for (const [entry, snapshot] of made.slice(0, Math.floor(made.length / 2))) {
          handed.push([entry, snapshot]);
          options.onKeyframe?.(entry, snapshot);
        }
        await released;
        return result;
      },
    };
    const screen = new IndexScreenSource(held);
    try {
      const progress = await screen.progress(BUILD_SID, recording);
      expect(progress.state).toBe('building');
      await expect.poll(() => handed.length, { timeout: 60_000 }).toBeGreaterThan(3);
      const [last] = handed[handed.length - 1]!;
      expect((await screen.progress(BUILD_SID, recording)).indexedSeconds).toBe(last.timeMs / 1000);
      const t = handed[Math.floor(handed.length / 2)]![0].timeMs + 1;
      const [before, snapshot] = handed.filter(([k]) => k.timeMs <= t).pop()!;
      const inside = await screen.keyframe(BUILD_SID, recording, t / 1000);
      expect(inside).toMatchObject({ timeMs: before.timeMs, eventIndex: before.eventIndex, partOffset: before.partOffset, recordIndex: before.recordIndex });
      expect(inside!.data).toBe(snapshot.data);
      const beyond = await screen.keyframe(BUILD_SID, recording, 1e6);
      expect(beyond).toMatchObject({ timeMs: last.timeMs, eventIndex: last.eventIndex });
    } finally {
      release();
    }
    await expect.poll(async () => (await screen.progress(BUILD_SID, recording)).state, { timeout: 60_000 }).toBe('ready');
    const whole = await screen.keyframe(BUILD_SID, recording, 1e6);
    expect(whole!.eventIndex).toBeGreaterThan(handed[handed.length - 1]![0].eventIndex);
    real.close();
  });

  it('indexes a recording someone opens first, stopping a background build that starts again after it', async () => {
    const real = new RecordingIndex({ dir: join(data.root, 'index-order') });
    const started: string[] = [];
    const stopped: string[] = [];
    const slow: ScreenIndex = {
      seekPath: (sid) => join(data.root, 'no-index', `${sid}.seek`),
      seekPoint: (...args) => real.seekPoint(...args),
      screenAt: (...args) => real.screenAt(...args),
      search: (...args) => real.search(...args),
      async indexRecording(sid, path, options = {}) {
        started.push(sid);
        if (started.length === 1) {
          // The first background build runs until it is told to stop.
          await new Promise<void>((_, reject) => options.signal!.addEventListener('abort', () => {
            stopped.push(sid);
            reject(options.signal!.reason as Error);
          }));
        }
        return real.indexRecording(sid, path, options);
      },
    };
    const screen = new IndexScreenSource(slow);
    const background = screen.warm([BUILD_SID, TYPING_SID].map((sid) => ({ sessionId: sid, path: join(data.recordsDir, `${sid}.tar`) })));
    await expect.poll(() => started).toEqual([BUILD_SID]);
    // Opening the typing session (the player asks for its progress) moves it first and stops the other.
    await screen.progress(TYPING_SID, join(data.recordsDir, `${TYPING_SID}.tar`));
    await background;
    expect(stopped).toEqual([BUILD_SID]);
    expect(started).toEqual([BUILD_SID, TYPING_SID, BUILD_SID]);
    expect((await screen.progress(BUILD_SID, join(data.recordsDir, `${BUILD_SID}.tar`))).state).toBe('ready');
    real.close();
  });
});

describe('a recording that cannot be read', () => {
  it('is a 422 with the words of `auditcast verify`, naming <sid>.tar but not the server\'s directory', async () => {
    const sid = '0badf11e-0000-4000-8000-000000000001';
    const file = join(data.recordsDir, `${sid}.tar`);
    // The typing recording cut inside its first part's data.
    writeFileSync(file, readFileSync(join(data.recordsDir, `${TYPING_SID}.tar`)).subarray(0, 1000));
    try {
      for (const path of [`/api/sessions/${sid}`, `/api/sessions/${sid}/outline`]) {
        const { status, body } = await getJson(path);
        expect(status, path).toBe(422);
        expect(body.error.code).toBe('CORRUPTED');
        expect(body.error.message).toMatch(new RegExp(`^${sid}\\.tar: part 1 \\(at byte 0\\): data truncated, expected to read \\d+ bytes, but got 976$`));
        expect(body.error.message).not.toContain(data.recordsDir);
      }
    } finally {
      rmSync(file);
    }
  });
});
