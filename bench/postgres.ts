// node --import tsx bench/postgres.ts [--quick] [--json]   (after npm run build:ts: the scan child runs dist/)
// PostgresLog on a throwaway PostgreSQL 15 cluster with durable settings (fsync on):
// - emit throughput from one process (many emits in flight: queued emits share one INSERT, one row
//   per event) and the p50/p99 latency of a single emit awaited alone;
// - search over 1,000,000 rows (loaded with one INSERT ... SELECT generate_series): time of the first
//   page of 500 (asc, desc, with a type filter; tinybench), and a full scan in pages of 10,000 in a
//   child process with its peak RSS.
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { Bench } from 'tinybench';
import { PostgresLog } from '../lib/auditlog/postgres-log.js';
import { Timestamp } from '../lib/events/timestamp.js';
import { startPostgres } from '../test/helpers/postgres-cluster.js';

const args = new Set(process.argv.slice(2));
const quick = args.has('--quick');
const json = args.has('--json');
const log = (text: string) => { if (!json) console.log(text); };
const EMITS = quick ? 20_000 : 100_000;
const SINGLE = quick ? 500 : 2_000;
const ROWS = quick ? 100_000 : 1_000_000;

const login = (i: number) => ({
  $type: 'UserLogin' as const,
  Metadata: { Type: 'user.login', Code: 'T1000I', Index: i, Time: Timestamp.fromMillis(Date.UTC(2024, 0, 1) + i) },
  User: { User: `bench-user-${i % 100}` },
  Status: { Success: true },
  Method: 'local',
  Connection: { RemoteAddr: '10.0.0.1:51234' },
});

/** A task's latency statistics; a task that failed or was aborted has none. */
function latencyOf(result: unknown): { p50: number; p99: number; mean: number } {
  if (!result || typeof result !== 'object' || !('latency' in result)) throw new Error(`a first-page task did not complete: ${JSON.stringify(result)}`);
  return (result as { latency: { p50: number; p99: number; mean: number } }).latency;
}

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))]!;

const cluster = await startPostgres({ settings: { fsync: 'on', full_page_writes: 'on' } });
try {
  // 1. emit throughput and single-emit latency
  const emitUrl = await cluster.createDatabase('bench_emit');
  const writer = await PostgresLog.open({ url: emitUrl, cleanup: false });
  for (let i = 0; i < 2000; i++) await writer.emitAuditEvent(login(i)); // warm-up
  let next = 0;
  let started = performance.now();
  await Promise.all(Array.from({ length: 1000 }, async () => {
    while (next < EMITS) await writer.emitAuditEvent(login(next++));
  }));
  const emitMs = performance.now() - started;
  const statements = writer.stats.statements;
  const latencies: number[] = [];
  for (let i = 0; i < SINGLE; i++) {
    started = performance.now();
    await writer.emitAuditEvent(login(i));
    latencies.push(performance.now() - started);
  }
  latencies.sort((a, b) => a - b);
  await writer.close();
  const emitted = Number((await cluster.sql('bench_emit', 'SELECT count(*)::int AS n FROM events')).rows[0]!.n);
  if (emitted !== 2000 + EMITS + SINGLE) throw new Error(`expected ${2000 + EMITS + SINGLE} rows, found ${emitted}`);

  // 2. search over ROWS rows
  const searchUrl = await cluster.createDatabase('bench_search');
  await (await PostgresLog.open({ url: searchUrl, cleanup: false })).close();
  started = performance.now();
  await cluster.sql('bench_search', `INSERT INTO events (event_time, event_id, event_type, session_id, event_data)
    SELECT t, gen_random_uuid(), CASE WHEN i % 10 = 0 THEN 'session.start' ELSE 'user.login' END,
      '00000000-0000-0000-0000-000000000000',
      json_build_object('ei', 0, 'event', CASE WHEN i % 10 = 0 THEN 'session.start' ELSE 'user.login' END, 'code', 'T1000I',
        'time', to_char(t AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'), 'user', 'bench-user-' || (i % 100),
        'success', true, 'method', 'local', 'addr.remote', '10.0.0.1:51234')
    FROM (SELECT i, timestamptz '2024-01-01 00:00:00+00' + (i * interval '2.5 seconds') AS t FROM generate_series(1, ${ROWS}) AS i) AS s`);
  await cluster.sql('bench_search', 'VACUUM ANALYZE events');
  const loadMs = performance.now() - started;
  const searcher = await PostgresLog.open({ url: searchUrl, cleanup: false });
  const from = new Date('2024-01-01T00:00:00Z');
  const to = new Date('2100-01-01T00:00:00Z');
  const bench = new Bench({ iterations: 30, warmupIterations: 3 });
  bench
    .add('first page of 500, asc', async () => { if ((await searcher.searchEvents({ from, to, limit: 500 })).events.length !== 500) throw new Error('short page'); })
    .add('first page of 500, desc', async () => { if ((await searcher.searchEvents({ from, to, limit: 500, order: 'desc' })).events.length !== 500) throw new Error('short page'); })
    .add('first page of 500, type session.start', async () => { if ((await searcher.searchEvents({ from, to, limit: 500, eventTypes: ['session.start'] })).events.length !== 500) throw new Error('short page'); })
    .add('first page of 500, mid-range window', async () => { if ((await searcher.searchEvents({ from: new Date('2024-01-10T00:00:00Z'), to, limit: 500 })).events.length !== 500) throw new Error('short page'); });
  await bench.run();
  await searcher.close();
  const child = join(import.meta.dirname, 'postgres-scan-child.mjs');
  const scan = JSON.parse(execFileSync('/bin/sh', ['-c', '"$@"; exit $?', 'sh', process.execPath, child, searchUrl, '10000'], { encoding: 'utf8' })) as
    { events: number; pages: number; ms: number; maxRssMiB: number; vmHwmMiB: number | null };
  if (scan.events !== ROWS) throw new Error(`full scan returned ${scan.events} events, expected ${ROWS}`);

  const results = {
    emit: { events: EMITS, ms: emitMs, eventsPerS: EMITS / (emitMs / 1000), statements: statements, p50Ms: percentile(latencies, 0.5), p99Ms: percentile(latencies, 0.99) },
    load: { rows: ROWS, ms: loadMs },
    firstPage: bench.tasks.map((t) => { const latency = latencyOf(t.result); return { name: t.name, p50Ms: latency.p50, p99Ms: latency.p99, meanMs: latency.mean }; }),
    fullScan: { ...scan, eventsPerS: scan.events / (scan.ms / 1000) },
  };
  if (json) {
    console.log(JSON.stringify(results, null, 2));
  } else {
    const f = (n: number, d = 1) => n.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d });
    log(`| measure | value |\n|---|---:|`);
    log(`| emit throughput, one process (${EMITS.toLocaleString('en-US')} events, ${results.emit.statements} INSERTs) | ${f(results.emit.eventsPerS, 0)} events/s |`);
    log(`| single emit latency p50 / p99 (${SINGLE} emits, one at a time) | ${f(results.emit.p50Ms, 2)} / ${f(results.emit.p99Ms, 2)} ms |`);
    for (const t of results.firstPage) log(`| ${t.name} over ${ROWS.toLocaleString('en-US')} rows, p50 / p99 | ${f(t.p50Ms, 2)} / ${f(t.p99Ms, 2)} ms |`);
    log(`| full scan of ${ROWS.toLocaleString('en-US')} rows in ${scan.pages} pages of 10,000 | ${f(scan.ms / 1000, 1)} s, ${f(results.fullScan.eventsPerS, 0)} events/s |`);
    log(`| peak RSS of the scanning process (VmHWM) | ${f(scan.vmHwmMiB ?? scan.maxRssMiB, 1)} MiB |`);
  }
} finally {
  await cluster.stop();
}
