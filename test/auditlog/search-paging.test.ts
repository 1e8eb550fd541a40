// Paging property: for random page sizes and both orders, following lastKey to the end returns
// exactly the sequence one big search returns, and ends. Run over the real Teleport fixtures
// (37 events share one uid, 39 one time, some have no uid) and over a generated log made of
// repeated uids, times, sessions and event indexes on several days and servers, where even
// whole lines repeat. Set AUDITCAST_SEED to replay a run (the seed is logged).
import { appendFileSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { eventJsonLine } from '../../lib/auditlog/event-json.js';
import { FileLog } from '../../lib/auditlog/file-log.js';
import { logFileName } from '../../lib/auditlog/file-time.js';
import type { EventOrder, SearchResult } from '../../lib/auditlog/search-types.js';
import { marshalEventJson } from '../../lib/events/event-json.js';
import type { AuditEventInput } from '../../lib/events/event.js';
import { TELEPORT_WEB, SHARED } from '../helpers/corpus.js';
import { DAY, sessionEnd, tempDir, userLogin } from './helpers.js';

const SEED = Number(process.env.AUDITCAST_SEED ?? Math.floor(Math.random() * 2 ** 31));
console.log(`search-paging seed: AUDITCAST_SEED=${SEED}`);

/** mulberry32: a small seeded generator, so a failing run can be replayed. */
function generator(seed: number): (n: number) => number {
  let a = seed >>> 0;
  return (n) => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return Math.floor((((t ^ (t >>> 14)) >>> 0) / 2 ** 32) * n);
  };
}

const FROM = new Date(Date.UTC(2000, 0, 1));
const TO = new Date(Date.UTC(2100, 0, 1));

/** Appends a JSON line to the day file of its time in `dir`. */
function append(dir: string, line: string): void {
  const ms = Date.parse((JSON.parse(line) as { time: string }).time);
  appendFileSync(join(dir, logFileName(ms)), `${line}\n`);
}

function fixtureLines(): string[] {
  const web = JSON.parse(readFileSync(join(TELEPORT_WEB, 'audit-events.json'), 'utf8')) as object[];
  const golden = readFileSync(join(SHARED, 'fixtures', 'teleport-golden', 'audit-events.golden.jsonl'), 'utf8')
    .trim().split('\n').map((l) => JSON.parse(l) as { skipped?: boolean; json_back: object })
    .filter((g) => !g.skipped).map((g) => g.json_back);
  return [...web, ...golden].map((e) => JSON.stringify(e));
}

/** The fixtures as two servers' logs: the web fixture on one, the golden one on the other. */
function writeFixtures(root: string): string[] {
  const web = JSON.parse(readFileSync(join(TELEPORT_WEB, 'audit-events.json'), 'utf8')) as object[];
  const lines = fixtureLines();
  const dirs = [join(root, 'auth-1'), join(root, 'auth-2')];
  for (const dir of dirs) mkdirSync(dir, { recursive: true });
  lines.forEach((line, i) => append(dirs[i < web.length ? 0 : 1], line));
  return dirs;
}

/** Few distinct uids, times, sessions and indexes over 4 days and 3 servers; some lines repeat. */
function writeGenerated(root: string, rand: (n: number) => number): { dirs: string[]; lines: number } {
  const dirs = ['auth-a', 'auth-b', 'auth-c'].map((s) => join(root, s));
  for (const dir of dirs) mkdirSync(dir, { recursive: true });
  const start = Date.UTC(2024, 2, 1);
  const uids = ['dup-1', 'dup-2', 'dup-3', ''];
  let lines = 0;
  for (let day = 0; day < 4; day++) {
    const times = Array.from({ length: 6 }, (_, i) => start + day * DAY + i * 3_600_000 + rand(2) * 1);
    for (let i = 0; i < 120; i++) {
      const t = times[Math.min(times.length - 1, Math.floor(i / 20) + (rand(4) === 0 ? 1 : 0))]; // mostly in order
      const uid = uids[rand(uids.length)];
      const event: AuditEventInput = rand(2) === 0 ? userLogin(`u${rand(3)}`, t, uid) : sessionEnd(uid, t, `sid-${rand(3)}`);
      event.Metadata!.Index = rand(3);
      const line = eventJsonLine(event);
      const dir = dirs[rand(dirs.length)];
      append(dir, line);
      lines++;
      if (rand(10) === 0) {
        append(dir, line); // the very same line twice
        lines++;
      }
    }
  }
  return { dirs, lines };
}

type Search = (log: FileLog, startKey: string, limit: number, order: EventOrder) => Promise<SearchResult>;
const searchAll: Search = (log, startKey, limit, order) => log.searchEvents({ from: FROM, to: TO, limit, order, startKey });
const searchSessions: Search = (log, startKey, limit, order) => log.searchSessionEvents({ from: FROM, to: TO, limit, order, startKey });

/** Follows lastKey to the end, each page from a new FileLog (keys carry their position). */
async function paged(dirs: string[], search: Search, limit: number, order: EventOrder, total: number): Promise<string[]> {
  const out: string[] = [];
  let key = '';
  for (let pages = 0; ; pages++) {
    // one page more than needed: the last full page cannot know nothing follows
    expect(pages, `limit ${limit} ${order}: paging does not end`).toBeLessThanOrEqual(Math.ceil(total / limit) + 1);
    const r = await search(new FileLog({ dir: dirs[0], searchDirs: () => dirs }), key, limit, order);
    expect(r.events.length).toBeLessThanOrEqual(limit);
    out.push(...r.events.map((e) => marshalEventJson(e)));
    if (!r.lastKey) return out;
    expect(r.events).toHaveLength(limit);
    key = r.lastKey;
  }
}

async function checkPaging(dirs: string[], search: Search, limits: number[], expectedCount: number): Promise<void> {
  const log = new FileLog({ dir: dirs[0], searchDirs: () => dirs });
  const whole = {
    asc: (await search(log, '', 10_000, 'asc')).events.map((e) => marshalEventJson(e)),
    desc: (await search(log, '', 10_000, 'desc')).events.map((e) => marshalEventJson(e)),
  };
  expect(whole.asc).toHaveLength(expectedCount);
  expect(whole.desc).toEqual([...whole.asc].reverse());
  for (const limit of limits) {
    for (const order of ['asc', 'desc'] as const) {
      expect(await paged(dirs, search, limit, order, expectedCount), `limit ${limit} ${order} (seed ${SEED})`).toEqual(whole[order]);
    }
  }
}

describe(`search paging with repeated uids (seed ${SEED})`, () => {
  const rand = generator(SEED);
  const limits = (n: number) => [25, 40, 50, ...Array.from({ length: n }, () => 1 + rand(60))];

  it('Teleport fixtures (two servers, 37 events share a uid): every page size, both orders', async () => {
    const dirs = writeFixtures(tempDir());
    const log = new FileLog({ dir: dirs[0], searchDirs: () => dirs });
    const whole = await log.searchEvents({ from: FROM, to: TO, limit: 10_000 });
    // every fixture line is returned except those that are not events we know
    const returned = whole.events.length + whole.stats!.eventsInvalid;
    expect(returned).toBe(fixtureLines().length);
    expect(whole.events.filter((e) => e.Metadata.ID === '16bfdc34-2766-a5d3-dfd6f7ff7ad6').length).toBeGreaterThanOrEqual(37);
    await checkPaging(dirs, searchAll, limits(8), whole.events.length);
  });

  it('generated log of repeated uids, times, sessions and whole lines over days and servers', async () => {
    const root = tempDir();
    const { dirs, lines } = writeGenerated(root, rand);
    const log = new FileLog({ dir: dirs[0], searchDirs: () => dirs });
    const whole = await log.searchEvents({ from: FROM, to: TO, limit: 10_000 });
    expect(whole.events).toHaveLength(lines);
    await checkPaging(dirs, searchAll, limits(8), whole.events.length);
    const sessions = await log.searchSessionEvents({ from: FROM, to: TO, limit: 10_000 });
    await checkPaging(dirs, searchSessions, [1 + rand(60), 1 + rand(60)], sessions.events.length);
  });

  it('a malformed key of ours is refused, a Teleport uid key still resumes after its first event', async () => {
    const dirs = writeFixtures(tempDir());
    const log = new FileLog({ dir: dirs[0], searchDirs: () => dirs });
    const err = await log.searchEvents({ from: FROM, to: TO, startKey: 'fl1.AAAA' }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'BAD_PARAMETER' });
    const all = (await log.searchEvents({ from: FROM, to: TO, limit: 10_000 })).events;
    const uid = '16bfdc34-2766-a5d3-dfd6f7ff7ad6';
    const first = all.findIndex((e) => e.Metadata.ID === uid);
    const rest = await log.searchEvents({ from: FROM, to: TO, limit: 10_000, startKey: uid });
    expect(rest.events.map((e) => marshalEventJson(e))).toEqual(all.slice(first + 1).map((e) => marshalEventJson(e)));
  });
});
