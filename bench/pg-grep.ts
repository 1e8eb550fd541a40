// grep over many indexed sessions, the same lines in both text stores: SQLite FTS5 (embedded) and
// PostgreSQL (PgTextIndex: lines table + pg_trgm, on a throwaway cluster). The lines are the corpus
// bulk session's, as the screen model hands them out, stored as N sessions, each with one rare line.
// Usage: node --import tsx bench/pg-grep.ts [--sessions N] (default 20)
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AuditEvent } from '../lib/events/event.js';
import { PgTextIndex } from '../lib/index-store/pg-text-index.js';
import { TextIndex } from '../lib/index-store/text-index.js';
import type { TextStore } from '../lib/index-store/text-store.js';
import { ScreenModel, type ScreenLine } from '../lib/screen/screen-model.js';
import { startPostgres } from '../test/helpers/postgres-cluster.js';
import { bulkFixture } from './fixtures.js';

const args = process.argv.slice(2);
const at = args.indexOf('--sessions');
const sessions = at >= 0 ? Number(args[at + 1]) : 20;

const median = (v: number[]) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)]!;

const lines: ScreenLine[] = [];
const model = new ScreenModel({ onLine: (l) => lines.push(l) });
for (const e of bulkFixture(2e6).objects() as AuditEvent[]) model.apply(e);
model.finish();
model.dispose();

async function load(store: TextStore): Promise<number> {
  const t0 = performance.now();
  for (let s = 0; s < sessions; s++) {
    await store.replaceSession(`session-${s}`, { size: 0, mtimeMs: 0, tailHash: '' }, async (add) => {
      for (const line of lines) add(line);
      add({ text: `$ kubectl delete pod web-${s}`, timeMs: 1000 * s, eventIndex: 1 });
      return { user: `user${s % 50}`, startMs: Date.UTC(2026, 0, 1) + s * 3_600_000 };
    });
  }
  return (performance.now() - t0) / 1000;
}

const QUERIES: [string, string][] = [
  ['rare phrase (one hit per session)', 'kubectl delete pod'],
  ['prefix', 'kubectl del*'],
  ['phrase on many lines', 'module to find differences'],
  ['word on most lines, first 100 by time', 'root'],
];

async function queries(name: string, store: TextStore): Promise<void> {
  for (const [what, q] of QUERIES) {
    const times: number[] = [];
    let hits = 0;
    for (let i = 0; i < 5; i++) {
      const t = performance.now();
      hits = (await store.search(q, { limit: 100 })).length;
      times.push(performance.now() - t);
    }
    console.log(`  ${name.padEnd(10)} ${what.padEnd(40)} ${JSON.stringify(q).padEnd(30)} ${String(hits).padStart(4)} hits  median ${median(times).toFixed(1)} ms`);
  }
}

const tmp = mkdtempSync(join(tmpdir(), 'auditcast-bench-pg-grep-'));
const cluster = await startPostgres();
try {
  const sqlite = TextIndex.open(tmp);
  const pg = await PgTextIndex.open({ url: await cluster.createDatabase('grep') });
  console.log(`${sessions} sessions x ${lines.length + 1} lines = ${(sessions * (lines.length + 1) / 1e6).toFixed(2)} M lines`);
  console.log(`  load: SQLite ${(await load(sqlite)).toFixed(1)} s, PostgreSQL ${(await load(pg)).toFixed(1)} s (trigram index: ${pg.trigram})`);
  await cluster.sql('grep', 'ANALYZE');
  await queries('SQLite', sqlite);
  await queries('PostgreSQL', pg);
  sqlite.close();
  await pg.close();
} finally {
  await cluster.stop();
  rmSync(tmp, { recursive: true, force: true });
}
