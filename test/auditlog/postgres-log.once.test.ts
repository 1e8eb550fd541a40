// PostgresLog against a real PostgreSQL 15: Teleport's schema, interop with rows written the way
// Teleport writes them, plain-SQL checks of our rows, Teleport's keys, the 1 MiB page cap,
// retention, metrics and one coded error per kind of bad input (no hangs).
import { randomUUID } from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FileLog } from '../../lib/auditlog/file-log.js';
import { PostgresLog } from '../../lib/auditlog/postgres-log.js';
import { postgresLogConfig } from '../../lib/auditlog/postgres-config.js';
import { AuditcastError, isAuditcastError } from '../../lib/errors.js';
import { fromEventFields } from '../../lib/events/event-fields.js';
import { marshalEventJson } from '../../lib/events/event-json.js';
import type { AuditEvent } from '../../lib/events/event.js';
import { metricsRegistry } from '../../lib/metrics.js';
import { SUPERUSER_PASSWORD } from '../helpers/postgres-cluster.js';
import { tempDir } from './helpers.js';
import {
  goldenEvents, hasUuidSid, NIL, TELEPORT_INSERT, teleportKey, teleportRow, teleportSessionId, useCluster,
} from './postgres-helpers.js';

const { cluster, database } = useCluster();
const opened: PostgresLog[] = [];
afterEach(async () => {
  await Promise.all(opened.splice(0).map((log) => log.close()));
});

async function open(url: string, extra: Partial<Parameters<typeof PostgresLog.open>[0]> = {}): Promise<PostgresLog> {
  const log = await PostgresLog.open({ url, ...extra });
  opened.push(log);
  return log;
}

async function failure(promise: Promise<unknown>): Promise<AuditcastError> {
  try {
    await promise;
  } catch (err) {
    if (err instanceof AuditcastError) return err;
    throw new Error(`expected an AuditcastError, got ${String(err)}`, { cause: err });
  }
  throw new Error('expected a failure');
}

const FAR_FUTURE = new Date('2100-01-01T00:00:00Z');
const EPOCH = new Date(0);
const line = (e: AuditEvent) => marshalEventJson(e);

/** Every page of a search, with the keys handed out. */
async function allPages(search: (startKey?: string) => Promise<{ events: AuditEvent[]; lastKey: string }>) {
  const events: AuditEvent[] = [];
  const keys: string[] = [];
  let key: string | undefined;
  for (let i = 0; i < 1000; i++) {
    const page = await search(key);
    events.push(...page.events);
    if (!page.lastKey) return { events, keys };
    keys.push(page.lastKey);
    key = page.lastKey;
  }
  throw new Error('search did not end');
}

describe('schema', () => {
  it('creates Teleport\'s version table, events table and indexes, once, even with four processes opening at once', async () => {
    const { name, url } = await database();
    await Promise.all([0, 1, 2, 3].map(() => open(url)));
    await open(url); // again: nothing to do
    const c = cluster();
    const versions = await c.sql(name, 'SELECT version FROM audit_version ORDER BY version');
    expect(versions.rows).toEqual([{ version: 1 }]);
    const columns = await c.sql(name, `SELECT column_name, data_type, is_nullable, column_default FROM information_schema.columns
      WHERE table_name = 'events' ORDER BY ordinal_position`);
    expect(columns.rows.map((r) => [r.column_name, r.data_type, r.is_nullable])).toEqual([
      ['event_time', 'timestamp with time zone', 'NO'],
      ['event_id', 'uuid', 'NO'],
      ['event_type', 'text', 'NO'],
      ['session_id', 'uuid', 'NO'],
      ['event_data', 'json', 'NO'],
      ['creation_time', 'timestamp with time zone', 'NO'],
    ]);
    expect(columns.rows[5]!.column_default).toBe('now()');
    const versionColumns = await c.sql(name, `SELECT column_name, data_type FROM information_schema.columns WHERE table_name = 'audit_version' ORDER BY ordinal_position`);
    expect(versionColumns.rows).toEqual([{ column_name: 'version', data_type: 'integer' }, { column_name: 'created', data_type: 'timestamp with time zone' }]);
    const indexes = (await c.sql(name, `SELECT indexdef FROM pg_indexes WHERE tablename = 'events' ORDER BY indexname`)).rows.map((r) => r.indexdef as string);
    expect(indexes).toContainEqual(expect.stringMatching(/USING brin \(creation_time\)/));
    expect(indexes).toContainEqual(expect.stringMatching(/UNIQUE INDEX events_pkey ON public\.events USING btree \(event_time, event_id\)/));
    expect(indexes).toContainEqual(expect.stringMatching(/btree \(session_id, event_time, event_id\) WHERE \(session_id <> '00000000-0000-0000-0000-000000000000'::uuid\)/));
    const check = await c.sql(name, `SELECT pg_get_constraintdef(oid) AS def FROM pg_constraint WHERE conrelid = 'audit_version'::regclass AND contype = 'c'`);
    expect(check.rows[0]!.def).toBe('CHECK ((version > 0))');
  });

  it('refuses a database at a schema version newer than it knows', async () => {
    const { name, url } = await database();
    await (await open(url)).close();
    await cluster().sql(name, 'INSERT INTO audit_version (version) VALUES (2)');
    const err = await failure(PostgresLog.open({ url }));
    expect(err.code).toBe('UNSUPPORTED');
    expect(err.message).toMatch(/schema version 2, newer than the 1/);
  });
});

describe('interop with rows Teleport wrote', () => {
  const teleportWritable = goldenEvents.filter(hasUuidSid);

  async function teleportDatabase() {
    const { name, url } = await database();
    await (await open(url)).close(); // the schema (Teleport's own migration would make the same)
    const client = await cluster().connect(name);
    try {
      for (const g of teleportWritable) await client.query(TELEPORT_INSERT, teleportRow(g));
    } finally {
      await client.end();
    }
    return { name, url };
  }

  it('uses the 162 golden events whose session id is a UUID (Teleport refuses the other 3)', () => {
    expect(goldenEvents).toHaveLength(165);
    expect(teleportWritable).toHaveLength(162);
  });

  it('finds every row in Teleport\'s order both ways, with Teleport\'s keys, JSON unchanged', async () => {
    const { name, url } = await teleportDatabase();
    const log = await open(url);
    for (const order of ['asc', 'desc'] as const) {
      const dir = order === 'asc' ? 'ASC' : 'DESC';
      const rows = (await cluster().sql(name, `SELECT (EXTRACT(EPOCH FROM event_time) * 1000000)::int8::text AS micros, event_id::text AS id, event_data::text AS data
        FROM events ORDER BY event_time ${dir}, event_id ${dir}`)).rows;
      expect(rows).toHaveLength(162);
      const { events, keys } = await allPages((startKey) => log.searchEvents({ from: EPOCH, to: FAR_FUTURE, limit: 50, order, startKey }));
      expect(events.map(line)).toEqual(rows.map((r) => r.data));
      // a full page (by count) hands out the key of its last row; 162 = 3 x 50 + 12
      expect(keys).toEqual([49, 99, 149].map((i) => teleportKey(rows[i]!.micros, rows[i]!.id)));
    }
  });

  it('filters by type and time window like the SQL Teleport runs', async () => {
    const { name, url } = await teleportDatabase();
    const log = await open(url);
    const types = ['session.start', 'user.login', 'db.session.query'];
    const from = new Date('2021-01-01T00:00:00Z');
    const to = new Date('2023-01-01T00:00:00Z');
    const expected = (await cluster().sql(name, `SELECT event_data::text AS data FROM events
      WHERE event_time BETWEEN $1 AND $2 AND event_type = ANY($3) ORDER BY event_time, event_id`, [from, to, types])).rows.map((r) => r.data);
    const { events } = await allPages((startKey) => log.searchEvents({ from, to, eventTypes: types, limit: 7, startKey }));
    expect(events.map(line)).toEqual(expected);
    expect(new Set(events.map((e) => e.Metadata.Type))).toEqual(new Set(expected.map((d) => JSON.parse(d).event)));
  });

  it('session search returns only session.end / windows.desktop.session.end, by session id and condition', async () => {
    const { name, url } = await teleportDatabase();
    const log = await open(url);
    const ends = (await cluster().sql(name, `SELECT event_data::text AS data, session_id::text AS sid FROM events
      WHERE event_type IN ('session.end', 'windows.desktop.session.end') ORDER BY event_time, event_id`)).rows;
    expect(ends.length).toBeGreaterThan(1);
    const all = await log.searchSessionEvents({ from: EPOCH, to: FAR_FUTURE });
    expect(all.events.map(line)).toEqual(ends.map((r) => r.data));
    const target = ends.find((r) => r.sid !== NIL)!;
    const one = await log.searchSessionEvents({ from: EPOCH, to: FAR_FUTURE, sessionId: target.sid });
    expect(one.events.map(line)).toEqual(ends.filter((r) => r.sid === target.sid).map((r) => r.data));
    const desktops = await log.searchSessionEvents({ from: EPOCH, to: FAR_FUTURE, cond: (f) => f.getString('event') === 'windows.desktop.session.end' });
    expect(desktops.events.map(line)).toEqual(ends.filter((r) => JSON.parse(r.data).event === 'windows.desktop.session.end').map((r) => r.data));
  });
});

describe('rows auditcast writes, checked with plain SQL', () => {
  it('writes one row per event: its time, a fresh random UUID, its type, its session or the nil UUID, the file log\'s JSON line', async () => {
    const { name, url } = await database();
    const log = await open(url);
    const writable = goldenEvents.filter(hasUuidSid);
    const events = writable.map((g) => fromEventFields(g.json_back));
    const sessionOf = new Map(writable.map((g) => [JSON.stringify(g.json_back), teleportSessionId(g)]));
    await Promise.all(events.map((e) => log.emitAuditEvent(e)));
    // the same events through the file log, for its line form
    const dir = tempDir();
    const fileLog = new FileLog({ dir });
    for (const e of events) await fileLog.emitAuditEvent(e);
    await fileLog.close();
    const fileLines = readdirSync(dir).filter((f) => f.endsWith('.log')).flatMap((f) => readFileSync(join(dir, f), 'utf8').split('\n').filter(Boolean));

    const rows = (await cluster().sql(name, `SELECT to_char(event_time AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US') AS time,
      event_id::text AS id, event_type, session_id::text AS sid, event_data::text AS data,
      pg_typeof(event_time)::text AS t1, pg_typeof(event_id)::text AS t2, pg_typeof(session_id)::text AS t3, pg_typeof(event_data)::text AS t4,
      creation_time > now() - interval '1 minute' AS fresh FROM events`)).rows;
    expect(rows).toHaveLength(162);
    expect(new Set(rows.map((r) => r.data))).toEqual(new Set(fileLines));
    expect(new Set(rows.map((r) => r.id)).size).toBe(162);
    expect(rows.filter((r) => r.sid === NIL).length).toBeGreaterThan(100);
    expect(rows.filter((r) => r.sid !== NIL).length).toBeGreaterThan(30);
    for (const r of rows) {
      const json = JSON.parse(r.data);
      expect([r.t1, r.t2, r.t3, r.t4]).toEqual(['timestamp with time zone', 'uuid', 'uuid', 'json']);
      expect(r.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      expect(r.event_type).toBe(json.event);
      expect(r.sid).toBe(sessionOf.get(r.data));
      const [whole, frac = ''] = (json.time as string).replace(/Z$/, '').split('.');
      expect(r.time).toBe(`${whole}.${frac.padEnd(6, '0')}`);
      expect(r.fresh).toBe(true);
    }
  });

  it('imports idempotently: the same events imported again, even from two processes at once, stay one row each', async () => {
    const { name, url } = await database();
    const events = goldenEvents.filter(hasUuidSid).map((g) => fromEventFields(g.json_back));
    const first = await open(url);
    await Promise.all(events.map((e) => first.importAuditEvent(e)));
    const ids = (await cluster().sql(name, 'SELECT event_id::text AS id FROM events ORDER BY 1')).rows.map((r) => r.id);
    // Events whose rows are identical (same JSON, so same time, type and session) are one event.
    const distinct = new Set(events.map((e) => marshalEventJson(e))).size;
    expect(distinct).toBeGreaterThan(150);
    expect(ids).toHaveLength(distinct);
    const [a, b] = [await open(url), await open(url)];
    await Promise.all([...events.map((e) => a.importAuditEvent(e)), ...events.map((e) => b.importAuditEvent(e))]);
    expect((await cluster().sql(name, 'SELECT event_id::text AS id FROM events ORDER BY 1')).rows.map((r) => r.id)).toEqual(ids);
    // A derived id is a version 8 UUID; an emit (not an import) of the same event is a new row.
    expect(ids.every((id) => /^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/.test(id))).toBe(true);
    await first.emitAuditEvent(events[0]!);
    expect((await cluster().sql(name, 'SELECT count(*)::int AS n FROM events')).rows[0]!.n).toBe(distinct + 1);
  });

  it('keeps nanoseconds out of event_time the way a timestamptz does (truncated to microseconds)', async () => {
    const { name, url } = await database();
    const log = await open(url);
    await log.emitAuditEvent({ $type: 'UserLogin', Metadata: { Type: 'user.login', Code: 'T1000I', Time: '2024-05-06T07:08:09.123456789Z' }, User: { User: 'u' } });
    const row = (await cluster().sql(name, `SELECT (EXTRACT(EPOCH FROM event_time) * 1000000)::int8::text AS micros, event_data->>'time' AS time FROM events`)).rows[0]!;
    expect(row.micros).toBe('1714979289123456');
    expect(row.time).toBe('2024-05-06T07:08:09.123456789Z');
  });

  it('refuses an event whose session id is not a UUID (the 3 golden events Teleport cannot store)', async () => {
    const { name, url } = await database();
    const log = await open(url);
    const bad = goldenEvents.filter((g) => !hasUuidSid(g));
    expect(bad).toHaveLength(3);
    for (const g of bad) {
      const err = await failure(log.emitAuditEvent(fromEventFields(g.json_back)));
      expect(err.code).toBe('BAD_PARAMETER');
      expect(err.message).toMatch(/is not a UUID/);
    }
    expect((await cluster().sql(name, 'SELECT count(*)::int AS n FROM events')).rows[0]!.n).toBe(0);
  });
});

describe('paging', () => {
  it('stops a page before its event_data would pass 1 MiB, and the next page goes on from there', async () => {
    const { name, url } = await database();
    const log = await open(url);
    const big = 'x'.repeat(300 * 1024);
    for (let i = 0; i < 7; i++) {
      await log.emitAuditEvent({ $type: 'UserLogin', Metadata: { Type: 'user.login', Code: 'T1000I', Time: new Date(Date.UTC(2024, 0, 1, 0, 0, i)) }, User: { User: `u${i}` }, Method: big });
    }
    const sizes = (await cluster().sql(name, 'SELECT octet_length(event_data::text) AS n FROM events ORDER BY event_time')).rows.map((r) => r.n as number);
    expect(sizes.slice(0, 4).reduce((a, b) => a + b)).toBeGreaterThan(1024 * 1024);
    expect(sizes.slice(0, 3).reduce((a, b) => a + b)).toBeLessThanOrEqual(1024 * 1024);
    const first = await log.searchEvents({ from: EPOCH, to: FAR_FUTURE, limit: 100 });
    expect(first.events.map((e) => (e.User as { User: string }).User)).toEqual(['u0', 'u1', 'u2']);
    expect(first.lastKey).not.toBe('');
    const second = await log.searchEvents({ from: EPOCH, to: FAR_FUTURE, limit: 100, startKey: first.lastKey });
    expect(second.events.map((e) => (e.User as { User: string }).User)).toEqual(['u3', 'u4', 'u5']);
    const third = await log.searchEvents({ from: EPOCH, to: FAR_FUTURE, limit: 100, startKey: second.lastKey });
    expect(third.events.map((e) => (e.User as { User: string }).User)).toEqual(['u6']);
    expect(third.lastKey).toBe(''); // not full by count or size: the query is finished
  });

  it('a row alone over 1 MiB (stored by another writer) is trimmed to fit and counted in teleport_audit_queried_trimmed_events', async () => {
    const { name, url } = await database();
    const log = await open(url);
    const counter = async () => (await metricsRegistry.getSingleMetric('teleport_audit_queried_trimmed_events')!.get()).values[0]?.value ?? 0;
    const before = await counter();
    const huge = JSON.stringify({ event: 'exec', code: 'T3002I', time: '2024-01-01T00:00:00Z', user: 'big', command: 'y'.repeat(2 * 1024 * 1024) });
    await cluster().sql(name, `INSERT INTO events (event_time, event_id, event_type, session_id, event_data, creation_time)
      VALUES ('2024-01-01T00:00:00Z', $1, 'exec', $2, $3, now())`, [randomUUID(), NIL, huge]);
    const page = await log.searchEvents({ from: EPOCH, to: FAR_FUTURE, limit: 10 });
    expect(page.events).toHaveLength(1);
    expect((page.events[0]!.User as { User: string }).User).toBe('big');
    expect(page.events[0]!.$type).toBe('Exec');
    expect(Buffer.byteLength(line(page.events[0]!))).toBeLessThanOrEqual(1024 * 1024);
    expect(await counter()).toBe(before + 1);
  });

  it('a page that is not full ends the query with an empty key; default limit is 500', async () => {
    const { url } = await database();
    const log = await open(url);
    await Promise.all(Array.from({ length: 501 }, (_, i) => log.emitAuditEvent({
      $type: 'UserLogin', Metadata: { Type: 'user.login', Code: 'T1000I', Time: new Date(Date.UTC(2024, 0, 1) + i) }, User: { User: `u${i}` },
    })));
    const page = await log.searchEvents({ from: EPOCH, to: FAR_FUTURE });
    expect(page.events).toHaveLength(500);
    const rest = await log.searchEvents({ from: EPOCH, to: FAR_FUTURE, startKey: page.lastKey });
    expect(rest.events.map((e) => (e.User as { User: string }).User)).toEqual(['u500']);
    expect(rest.lastKey).toBe('');
  });
});

describe('retention', () => {
  it('deletes rows older than retention_period every cleanup_interval (URL fragment), keeps the rest', async () => {
    const { name, url } = await database();
    const log = await open(`${url}#cleanup_interval=100ms&retention_period=720h`);
    expect(log.config.retentionPeriodMs).toBe(720 * 3600 * 1000);
    await log.emitAuditEvent({ $type: 'UserLogin', Metadata: { Type: 'user.login', Code: 'T1000I', Time: new Date() }, User: { User: 'new' } });
    await cluster().sql(name, `INSERT INTO events (event_time, event_id, event_type, session_id, event_data, creation_time)
      VALUES (now(), $1, 'user.login', $2, '{"event":"user.login","user":"old"}', now() - interval '721 hours'),
             (now(), $3, 'user.login', $2, '{"event":"user.login","user":"kept"}', now() - interval '719 hours')`, [randomUUID(), NIL, randomUUID()]);
    const deadline = Date.now() + 10_000;
    let users: string[] = [];
    while (Date.now() < deadline) {
      users = (await cluster().sql(name, `SELECT event_data->>'user' AS u FROM events ORDER BY 1`)).rows.map((r) => r.u);
      if (!users.includes('old')) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(users).toEqual(['kept', 'new']);
    expect(log.stats.deleted).toBe(1);
  });

  it('disable_cleanup=true turns the loop off; the default period is 8766 h every hour', async () => {
    const { url } = await database();
    expect(postgresLogConfig({ url }).retentionPeriodMs).toBe(8766 * 3600 * 1000);
    expect(postgresLogConfig({ url }).cleanupIntervalMs).toBe(3600 * 1000);
    expect(postgresLogConfig({ url: `${url}#disable_cleanup=true&cleanup_interval=1h30m` })).toMatchObject({ cleanup: false, cleanupIntervalMs: 5400 * 1000 });
    const log = await open(`${url}#disable_cleanup=true&retention_period=1h`);
    expect(log.config.cleanup).toBe(false);
    expect(await log.cleanup()).toBe(0); // an explicit call still works
  });
});

describe('metrics', () => {
  it('counts writes and searches on the library registry', async () => {
    const { url } = await database();
    const log = await open(url);
    const count = async (name: string) => {
      const metric = (await metricsRegistry.getMetricsAsJSON()).find((m) => m.name === name)!;
      const values = metric.values as { metricName?: string; value: number }[];
      return values.find((v) => v.metricName === undefined || v.metricName.endsWith('_count'))!.value;
    };
    const writes = await count('audit_postgres_write_seconds');
    const searches = await count('audit_postgres_search_seconds');
    const searchErrors = await count('audit_postgres_search_errors_total');
    await log.emitAuditEvent({ $type: 'UserLogin', Metadata: { Type: 'user.login', Code: 'T1000I', Time: new Date() }, User: { User: 'm' } });
    await log.searchEvents({ from: EPOCH, to: FAR_FUTURE });
    expect(await count('audit_postgres_write_seconds')).toBe(writes + 1);
    expect(await count('audit_postgres_search_seconds')).toBe(searches + 1);
    // a search that fails on the server counts as an error
    await cluster().sql(url.split('/').pop()!, 'DROP TABLE events');
    expect((await failure(log.searchEvents({ from: EPOCH, to: FAR_FUTURE }))).code).toBe('CONNECTION_PROBLEM');
    expect(await count('audit_postgres_search_errors_total')).toBe(searchErrors + 1);
  });
});

describe('bad input: one coded error each, no hang', () => {
  it('malformed pagination keys', async () => {
    const { url } = await database();
    const log = await open(url);
    for (const key of ['AAAA', 'not base64!', Buffer.alloc(25).toString('base64url') + '=', Buffer.alloc(24).toString('base64').slice(0, -4)]) {
      const err = await failure(log.searchEvents({ from: EPOCH, to: FAR_FUTURE, startKey: key }));
      expect(err.code).toBe('BAD_PARAMETER');
      expect(err.message).toMatch(/malformed pagination key/);
    }
  });

  it('a limit over 10,000', async () => {
    const { url } = await database();
    const log = await open(url);
    const err = await failure(log.searchEvents({ from: EPOCH, to: FAR_FUTURE, limit: 10_001 }));
    expect(err.code).toBe('BAD_PARAMETER');
    expect(err.message).toMatch(/limit 10001 exceeds max iteration limit 10000/);
    expect((await log.searchEvents({ from: EPOCH, to: FAR_FUTURE, limit: 10_000 })).events).toEqual([]);
  });

  it('a session id that is not a UUID, in a search and in an event', async () => {
    const { url } = await database();
    const log = await open(url);
    const err = await failure(log.searchSessionEvents({ from: EPOCH, to: FAR_FUTURE, sessionId: 'sid-1' }));
    expect(err.code).toBe('BAD_PARAMETER');
    expect(err.message).toMatch(/session id must be a UUID/);
    const emit = await failure(log.emitAuditEvent({ $type: 'SessionEnd', Metadata: { Type: 'session.end', Time: new Date() }, Session: { SessionID: 'sid-1' } }));
    expect(emit.code).toBe('BAD_PARAMETER');
  });

  it('an unreachable server (closed port) fails at once', async () => {
    const port = await new Promise<number>((resolve) => {
      const s = createServer().listen(0, '127.0.0.1', () => {
        const p = (s.address() as { port: number }).port;
        s.close(() => resolve(p));
      });
    });
    const started = Date.now();
    const err = await failure(PostgresLog.open({ url: `postgres://u:p@127.0.0.1:${port}/db` }));
    expect(err.code).toBe('CONNECTION_PROBLEM');
    expect(err.message).toMatch(/cannot connect.*ECONNREFUSED/);
    expect(err.message).not.toContain(':p@');
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('a server that accepts and never answers fails after the connect timeout', async () => {
    const sockets: Socket[] = [];
    const silent: Server = createServer((s) => { sockets.push(s); });
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    const port = (silent.address() as { port: number }).port;
    try {
      const started = Date.now();
      const err = await failure(PostgresLog.open({ url: `postgres://u:p@127.0.0.1:${port}/db`, connectTimeoutMs: 500 }));
      expect(err.code).toBe('CONNECTION_PROBLEM');
      expect(err.message).toMatch(/timeout/i);
      expect(Date.now() - started).toBeLessThan(5000);
    } finally {
      for (const s of sockets) s.destroy();
      silent.close();
    }
  });

  it('a wrong password', async () => {
    const { name } = await database();
    const err = await failure(PostgresLog.open({ url: cluster().url(name, 'postgres', `${SUPERUSER_PASSWORD}-wrong`) }));
    expect(err.code).toBe('ACCESS_DENIED');
    expect(err.message).toMatch(/password authentication failed.*28P01/);
    expect(err.message).not.toContain('-wrong');
  });

  it('a role without permission to create tables', async () => {
    const { name } = await database();
    const role = `r_${randomUUID().replace(/-/g, '')}`;
    await cluster().sql('postgres', `CREATE ROLE ${role} LOGIN PASSWORD 'pw'`);
    const err = await failure(PostgresLog.open({ url: cluster().url(name, role, 'pw') }));
    expect(err.code).toBe('ACCESS_DENIED');
    expect(err.message).toMatch(/set up the schema: permission denied for schema public.*42501/);
  });

  it('a statement that outlives the statement timeout (the table is locked) fails instead of waiting', async () => {
    const { name, url } = await database();
    const log = await open(url, { statementTimeoutMs: 300 });
    const pg = (await import('pg')).default;
    const locker = new pg.Client({ connectionString: cluster().url(name) });
    await locker.connect();
    try {
      await locker.query('BEGIN');
      await locker.query('LOCK TABLE events IN ACCESS EXCLUSIVE MODE');
      const started = Date.now();
      const err = await failure(log.searchEvents({ from: EPOCH, to: FAR_FUTURE }));
      expect(err.code).toBe('LIMIT_EXCEEDED');
      expect(err.message).toMatch(/statement timeout.*57014/);
      const emit = await failure(log.emitAuditEvent({ $type: 'UserLogin', Metadata: { Type: 'user.login', Time: new Date() }, User: { User: 'x' } }));
      expect(emit.code).toBe('LIMIT_EXCEEDED');
      expect(Date.now() - started).toBeLessThan(5000);
    } finally {
      await locker.end();
    }
  });

  it('bad URLs and options', () => {
    const cases: [() => unknown, RegExp][] = [
      [() => postgresLogConfig({ url: 'mysql://x/y' }), /must start with postgres:\/\//],
      [() => postgresLogConfig({ url: 'postgres://h/db#auth_mode=azure' }), /unknown setting "auth_mode"/],
      [() => postgresLogConfig({ url: 'postgres://h/db#retention_period=one-year' }), /invalid duration "one-year"/],
      [() => postgresLogConfig({ url: 'postgres://h/db#disable_cleanup=maybe' }), /invalid boolean "maybe"/],
      [() => postgresLogConfig({ url: 'postgres://h/db', poolSize: 0 }), /poolSize must be a positive integer/],
      [() => postgresLogConfig({ url: 'postgres://h/db', nope: 1 } as never), /unknown PostgresLog option "nope"/],
    ];
    for (const [run, message] of cases) {
      let err: unknown;
      try {
        run();
      } catch (e) {
        err = e;
      }
      expect(isAuditcastError(err, 'BAD_PARAMETER'), String(err)).toBe(true);
      expect((err as Error).message).toMatch(message);
    }
  });
});
