// Streaming search: across days and servers, both orders, paging, and proof that a first page
// reads only the first file(s).
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FileLog } from '../../lib/auditlog/file-log.js';
import { checkpointOf } from '../../lib/auditlog/search-checkpoint.js';
import { logFileName } from '../../lib/auditlog/file-time.js';
import { nodeSearchFs, type SearchFs } from '../../lib/auditlog/search-fs.js';
import type { SearchResult } from '../../lib/auditlog/search-types.js';
import { marshalEventJson } from '../../lib/events/event-json.js';
import { DAY, HOUR, tempDir, userLogin } from './helpers.js';

const START = Date.UTC(2024, 2, 1);

/** Writes `perDay` logins a day for `days` days into each server dir; returns all (time, id). */
function writeLog(root: string, servers: string[], days: number, perDay: number, jitterMs = 0, seed = 1): { t: number; id: string }[] {
  let state = seed;
  const rand = () => ((state = (state * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  const all: { t: number; id: string }[] = [];
  for (const server of servers) {
    mkdirSync(join(root, server), { recursive: true });
    for (let d = 0; d < days; d++) {
      const lines: string[] = [];
      for (let i = 0; i < perDay; i++) {
        // unique times: spread over the day, then a bounded jitter that breaks file order
        const t = START + d * DAY + Math.floor(((i + rand() * 0.5) * DAY) / perDay) + (jitterMs ? Math.floor((rand() - 0.5) * jitterMs) : 0);
        const id = `${server}-${d}-${i}`;
        lines.push(marshalEventJson(userLogin(`u${i}`, Math.max(START + d * DAY, t), id)));
        all.push({ t: Math.max(START + d * DAY, t), id });
      }
      writeFileSync(join(root, server, logFileName(START + d * DAY)), `${lines.join('\n')}\n`);
    }
  }
  return all;
}

function countingFs(): { fs: SearchFs; bytes: Map<string, number> } {
  const bytes = new Map<string, number>();
  return {
    bytes,
    fs: {
      readdir: nodeSearchFs.readdir,
      async open(path) {
        const handle = await nodeSearchFs.open(path);
        return {
          stat: () => handle.stat(),
          close: () => handle.close(),
          async read(buffer, offset, length, position) {
            const r = await handle.read(buffer, offset, length, position);
            bytes.set(path, (bytes.get(path) ?? 0) + r.bytesRead);
            return r;
          },
        };
      },
    },
  };
}

async function allPages(log: FileLog, req: Parameters<FileLog['searchEvents']>[0]): Promise<string[]> {
  const ids: string[] = [];
  let startKey = '';
  for (;;) {
    const r: SearchResult = await log.searchEvents({ ...req, startKey });
    ids.push(...r.events.map((e) => e.Metadata.ID));
    if (!r.lastKey) return ids;
    startKey = r.lastKey;
  }
}

describe('streaming search', () => {
  it('merges servers and days in time order, asc and desc, with paging (reorder within the window)', async () => {
    const root = tempDir();
    const servers = ['auth-a', 'auth-b', 'auth-c'];
    const all = writeLog(root, servers, 4, 120, 20 * 60_000);
    const log = new FileLog({ dir: join(root, 'auth-a'), searchDirs: () => servers.map((s) => join(root, s)), reorderWindow: 64 });
    const from = START + DAY / 2;
    const to = START + 3 * DAY + DAY / 3;
    const expected = all.filter((e) => e.t >= from && e.t <= to).sort((a, b) => a.t - b.t || (a.id < b.id ? -1 : 1));
    // ties (same ms) may come in any order: compare times and id sets per time
    const asc = await allPages(log, { from, to, limit: 37, order: 'asc' });
    expect(asc).toHaveLength(expected.length);
    const timeOf = new Map(all.map((e) => [e.id, e.t]));
    const ascTimes = asc.map((id) => timeOf.get(id)!);
    expect(ascTimes).toEqual(expected.map((e) => e.t));
    expect(new Set(asc)).toEqual(new Set(expected.map((e) => e.id)));
    const desc = await allPages(log, { from, to, limit: 41, order: 'desc' });
    expect(desc.map((id) => timeOf.get(id)!)).toEqual([...expected].reverse().map((e) => e.t));
    expect(new Set(desc)).toEqual(new Set(asc));
    const r = await log.searchEvents({ from, to, limit: 10_000 });
    expect(r.stats!.outOfOrder).toBe(0);
    expect(r.lastKey).toBe('');
  });

  it('a first page of a 30-day log reads only the first files (asc) or the last files (desc)', async () => {
    const root = tempDir();
    writeLog(root, ['auth'], 30, 400);
    const { fs, bytes } = countingFs();
    const log = new FileLog({ dir: join(root, 'auth'), searchFs: fs });
    const r = await log.searchEvents({ from: START, to: START + 30 * DAY, limit: 100, order: 'asc' });
    expect(r.events.map((e) => e.Metadata.ID)).toEqual(Array.from({ length: 100 }, (_, i) => `auth-0-${i}`));
    expect(r.stats!.filesMatched).toBe(30);
    expect(r.stats!.filesOpened).toBeLessThanOrEqual(2);
    const touched = [...bytes.keys()].map((p) => p.split('/').pop());
    expect(touched).toEqual([logFileName(START), logFileName(START + DAY)].slice(0, touched.length));
    const total = [...bytes.values()].reduce((a, b) => a + b, 0);
    expect(total).toBeLessThan(2 * 400 * 400);

    bytes.clear();
    const d = await log.searchEvents({ from: START, to: START + 30 * DAY, limit: 100, order: 'desc' });
    expect(d.events[0].Metadata.ID).toBe('auth-29-399');
    expect([...bytes.keys()].map((p) => p.split('/').pop())).toContain(logFileName(START + 29 * DAY));
    expect(bytes.size).toBeLessThanOrEqual(2);
  });

  it('skips files whose day is outside (from - rotation, to + rotation)', async () => {
    const root = tempDir();
    writeLog(root, ['auth'], 10, 5);
    const log = new FileLog({ dir: join(root, 'auth') });
    const r = await log.searchEvents({ from: START + 5 * DAY, to: START + 5 * DAY + HOUR * 23, limit: 100 });
    expect(r.stats!.filesMatched).toBe(2); // day D is kept when from - 24h < D < to + 24h: days 5, 6
    expect(r.events.every((e) => e.Metadata.ID.startsWith('auth-5-'))).toBe(true);
  });

  it('resumes its own keys from their position in any FileLog, Teleport id keys by locating the event: same pages', async () => {
    const root = tempDir();
    const servers = ['auth-a', 'auth-b'];
    const all = writeLog(root, servers, 12, 150, 5 * 60_000, 7);
    const timeOf = new Map(all.map((e) => [e.id, e.t]));
    const dirs = () => servers.map((s) => join(root, s));
    for (const order of ['asc', 'desc'] as const) {
      const fresh = () => new FileLog({ dir: join(root, 'auth-a'), searchDirs: dirs, reorderWindow: 32 });
      const req = { from: START, to: START + 12 * DAY, limit: 200, order };
      const viaPosition: string[][] = [];
      const viaId: string[][] = [];
      let key = '';
      let uid = '';
      let positionBytes = 0;
      let idBytes = 0;
      for (;;) {
        // our key: a FileLog that never handed it out resumes right at its position
        const a = await fresh().searchEvents({ ...req, startKey: key });
        // Teleport's key (the last event's uid, unique here): located by a scan first
        const b = await fresh().searchEvents({ ...req, startKey: uid });
        expect(a.stats!.resumed).toBe(key !== '');
        expect(b.stats!.resumed).toBe(key !== '');
        viaPosition.push(a.events.map((e) => e.Metadata.ID));
        viaId.push(b.events.map((e) => e.Metadata.ID));
        expect(a.lastKey).toBe(b.lastKey);
        if (a.lastKey) expect(a.lastKey).toMatch(/^fl1\.[A-Za-z0-9_-]+$/);
        positionBytes += a.stats!.bytesRead;
        idBytes += b.stats!.bytesRead;
        if (!a.lastKey) break;
        key = a.lastKey;
        uid = a.events[a.events.length - 1].Metadata.ID;
      }
      expect(viaPosition).toEqual(viaId);
      const flat = viaPosition.flat();
      expect(flat).toHaveLength(2 * 12 * 150);
      expect(new Set(flat).size).toBe(2 * 12 * 150);
      const times = flat.map((id) => timeOf.get(id)!);
      expect(times).toEqual([...times].sort((x, y) => (order === 'asc' ? x - y : y - x)));
      // a positioned key reads the days around its position, locating an id reads every file once more
      expect(positionBytes * 2).toBeLessThan(idBytes);
    }
    const missing = await new FileLog({ dir: join(root, 'auth-a'), searchDirs: dirs }).searchEvents({ from: START, to: START + 12 * DAY, startKey: 'no-such-id' });
    expect(missing).toMatchObject({ events: [], lastKey: '' });
  });

  it('pages through events without ids by hash keys, as Teleport (key searched from the start)', async () => {
    const root = tempDir();
    mkdirSync(join(root, 'auth'));
    const lines = Array.from({ length: 45 }, (_, i) => marshalEventJson(userLogin(`user-${i}`, START + 1000 * (i % 15))));
    writeFileSync(join(root, 'auth', logFileName(START)), `${lines.join('\n')}\n`);
    for (const order of ['asc', 'desc'] as const) {
      const log = new FileLog({ dir: join(root, 'auth') });
      const seen: string[][] = [];
      let key = '';
      let hash = '';
      for (;;) {
        const a = await log.searchEvents({ from: START, to: START + DAY, limit: 7, order, startKey: key });
        // Teleport's key for an event without an id: hex SHA-256 of its JSON
        const b = await log.searchEvents({ from: START, to: START + DAY, limit: 7, order, startKey: hash });
        expect(b.stats!.resumed).toBe(false);
        const users = (r: typeof a) => r.events.map((e) => (e.User as { User: string }).User);
        expect(users(a)).toEqual(users(b));
        expect(a.lastKey).toBe(b.lastKey);
        if (hash) expect(hash).toMatch(/^[0-9a-f]{64}$/);
        seen.push(users(a));
        if (!a.lastKey) break;
        key = a.lastKey;
        hash = checkpointOf(a.events[a.events.length - 1]);
      }
      expect(new Set(seen.flat()).size).toBe(45);
    }
  });

  it('stops on an aborted signal', async () => {
    const root = tempDir();
    writeLog(root, ['auth'], 3, 3000);
    const log = new FileLog({ dir: join(root, 'auth') });
    const controller = new AbortController();
    controller.abort();
    const err = await log.searchEvents({ from: START, to: START + 3 * DAY, limit: 10, signal: controller.signal }).catch((e) => e);
    expect(err.code).toBe('CANCELED');
  });

  it('counts events that arrive later than the reorder window allows', async () => {
    const root = tempDir();
    mkdirSync(join(root, 'auth'));
    // 50 events in order, then one stamped before all of them
    const lines = Array.from({ length: 50 }, (_, i) => marshalEventJson(userLogin('u', START + 1000 + i, `id-${i}`)));
    lines.push(marshalEventJson(userLogin('late', START, 'late')));
    writeFileSync(join(root, 'auth', logFileName(START)), `${lines.join('\n')}\n`);
    const narrow = new FileLog({ dir: join(root, 'auth'), reorderWindow: 8, maxReorderWindow: 8 });
    const r = await narrow.searchEvents({ from: START, to: START + DAY, limit: 100 });
    expect(r.stats!.outOfOrder).toBe(1);
    // returned, but late: after the events already handed on when it was read
    expect(r.events).toHaveLength(51);
    expect(r.events.findIndex((e) => e.Metadata.ID === 'late')).toBe(50 - 8 + 1);
    for (const wide of [new FileLog({ dir: join(root, 'auth'), reorderWindow: 64 }), new FileLog({ dir: join(root, 'auth'), reorderWindow: 8 })]) {
      // a wide window, or a narrow one read again wider, puts it first
      const w = await wide.searchEvents({ from: START, to: START + DAY, limit: 100 });
      expect(w.stats!.outOfOrder).toBe(0);
      expect(w.events[0].Metadata.ID).toBe('late');
    }
  });
});
