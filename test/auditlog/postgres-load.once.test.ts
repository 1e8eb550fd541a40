// Load on a real PostgreSQL: 8 writer processes x 20,000 events at once give exactly 160,000 rows,
// none lost, none duplicated; the same with PostgreSQL restarted in the middle (the writers retry
// on the lost connections, and the ids chosen before the first try keep the retries idempotent).
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PostgresLog } from '../../lib/auditlog/postgres-log.js';
import { useCluster } from './postgres-helpers.js';

const ROOT = join(import.meta.dirname, '..', '..');
const CHILD = join(import.meta.dirname, 'postgres-writer-child.ts');
const WRITERS = 8;
const PER_WRITER = 20_000;

const { cluster, database } = useCluster();

interface WriterResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

function startWriter(url: string, writer: number): Promise<WriterResult> {
  const child = spawn(process.execPath, ['--import', 'tsx', CHILD, url, String(writer), String(PER_WRITER)], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => { stdout += d; });
  child.stderr.on('data', (d: Buffer) => { stderr += d; });
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
}

async function checkRows(name: string): Promise<void> {
  const totals = (await cluster().sql(name, `SELECT count(*)::int AS rows, count(DISTINCT event_id)::int AS ids,
    count(DISTINCT (event_data->>'user', event_data->>'ei'))::int AS events FROM events`)).rows[0];
  expect(totals).toEqual({ rows: WRITERS * PER_WRITER, ids: WRITERS * PER_WRITER, events: WRITERS * PER_WRITER });
  const perWriter = (await cluster().sql(name, `SELECT event_data->>'user' AS u, count(*)::int AS n,
    min((event_data->>'ei')::int) AS lo, max((event_data->>'ei')::int) AS hi FROM events GROUP BY 1 ORDER BY 1`)).rows;
  expect(perWriter).toEqual(Array.from({ length: WRITERS }, (_, w) => ({ u: `writer-${w}`, n: PER_WRITER, lo: 0, hi: PER_WRITER - 1 })));
}

describe('PostgresLog under load', () => {
  it(`${WRITERS} writer processes x ${PER_WRITER} events => exactly ${WRITERS * PER_WRITER} rows`, async () => {
    const { name, url } = await database();
    await (await PostgresLog.open({ url })).close(); // the schema, before eight processes race for it
    const results = await Promise.all(Array.from({ length: WRITERS }, (_, w) => startWriter(url, w)));
    for (const r of results) expect(r, r.stderr).toMatchObject({ code: 0 });
    expect(results.map((r) => JSON.parse(r.stdout).emitted)).toEqual(Array(WRITERS).fill(PER_WRITER));
    await checkRows(name);
  }, 240_000);

  it('PostgreSQL restarted in the middle: the writers retry, still exactly 160,000 rows', async () => {
    const { name, url } = await database();
    await (await PostgresLog.open({ url })).close();
    const running = Promise.all(Array.from({ length: WRITERS }, (_, w) => startWriter(url, w)));
    // restart once a good part (but not all) of the load is in
    const deadline = Date.now() + 120_000;
    let rows = 0;
    while (Date.now() < deadline) {
      rows = (await cluster().sql(name, 'SELECT count(*)::int AS n FROM events')).rows[0]!.n;
      if (rows >= 30_000) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(rows).toBeGreaterThanOrEqual(30_000);
    expect(rows).toBeLessThan(WRITERS * PER_WRITER);
    await cluster().restart(1000);
    const results = await running;
    for (const r of results) expect(r, r.stderr).toMatchObject({ code: 0 });
    const stats = results.map((r) => JSON.parse(r.stdout) as { emitted: number; retries: number });
    expect(stats.map((s) => s.emitted)).toEqual(Array(WRITERS).fill(PER_WRITER));
    // the restart cut the writers' connections: they did have to retry
    expect(stats.reduce((n, s) => n + s.retries, 0)).toBeGreaterThan(0);
    await checkRows(name);
  }, 240_000);
});
