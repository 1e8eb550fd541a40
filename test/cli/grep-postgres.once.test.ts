// auditcast index / import / grep with the audit log on a real PostgreSQL: the text index lives
// there, so a session indexed on one host is found by grep on another (a fleet has one index), and
// the output is the same as with the embedded SQLite index on the same recordings.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPostgres, type PostgresCluster } from '../helpers/postgres-cluster.js';
import { sessionRecording } from '../helpers/screen-sessions.js';
import { CORPUS, run, tempDir } from './cli-helpers.js';

const VIM_SID = '516965e5-e6ef-11e9-9d5b-42010a80002b';
const NPM_SID = '037e2e3e-e6f5-11e9-a7ac-42010a80002b';

let tmp: ReturnType<typeof tempDir>;
let cluster: PostgresCluster;
let url: string;
let teleportRecords: string;
const dataDir = (name: string) => ({ AUDITCAST_DATA_DIR: join(tmp.dir, name) });

beforeAll(async () => {
  tmp = tempDir('auditcast-grep-pg-');
  cluster = await startPostgres();
  url = await cluster.createDatabase('fleet');
  teleportRecords = join(tmp.dir, 'teleport-records');
  mkdirSync(teleportRecords);
  writeFileSync(join(teleportRecords, `${VIM_SID}.tar`), await sessionRecording('vim'));
  writeFileSync(join(teleportRecords, `${NPM_SID}.tar`), await sessionRecording('npm'));
}, 180_000);

afterAll(async () => {
  await cluster?.stop();
  tmp?.cleanup();
});

const PATTERNS = ['npm inst*', 'rjones', 'etc', 'no such words anywhere'];

describe('auditcast grep with the audit log on PostgreSQL', () => {
  it('hosts share one text index; grep prints what the SQLite index prints', async () => {
    const typing = ['import', '--from', 'script', join(CORPUS, 'typing.timing'), join(CORPUS, 'typing.typescript')];
    // Host A imports a session (and indexes it) with the audit log in PostgreSQL from the environment.
    const imported = await run(typing, { env: { ...dataDir('host-a'), AUDITCAST_AUDIT_URL: url } });
    expect(imported.stderr.toString()).toMatch(/^imported 133 events [^\n]*\n$/);
    expect(imported.code).toBe(0);
    // Importing again (another host, same input) adds no audit rows: their ids derive from the rows.
    const events = async () => Number((await cluster.sql('fleet', 'SELECT count(*) AS n FROM events')).rows[0]!.n);
    const imported1 = await events();
    expect(imported1).toBeGreaterThan(0);
    expect((await run([...typing, '--force'], { env: { ...dataDir('host-c'), AUDITCAST_AUDIT_URL: url } })).code).toBe(0);
    expect(await events()).toBe(imported1);
    // Host B indexes Teleport's recordings with --audit-url.
    const indexed = await run(['index', '--recordings', teleportRecords, '--audit-url', url], { env: dataDir('host-b') });
    expect(indexed.code).toBe(0);
    expect(indexed.stdout.toString()).toMatch(new RegExp(`^${VIM_SID}  indexed  01:05  \\d+ keyframes  \\d+ lines$`, 'm'));
    const rows = await cluster.sql('fleet', 'SELECT session_id FROM recording_text_sessions ORDER BY session_id');
    expect(rows.rows.map((r) => r.session_id)).toHaveLength(3);
    // The same recordings indexed into SQLite on a third data dir, in the same order.
    expect((await run(typing, { env: dataDir('local') })).code).toBe(0);
    expect((await run(['index', '--recordings', teleportRecords], { env: dataDir('local') })).code).toBe(0);
    for (const pattern of PATTERNS) {
      const local = await run(['grep', pattern, '-n', '1000'], { env: dataDir('local') });
      // Host B finds host A's session too.
      const fleet = await run(['grep', pattern, '-n', '1000', '--audit-url', url], { env: dataDir('host-b') });
      expect(fleet.stderr.toString()).toBe('');
      expect(fleet.code, pattern).toBe(local.code);
      expect(fleet.stdout.toString(), pattern).toBe(local.stdout.toString());
    }
    const json = await run(['grep', 'rjones', '--json', '-n', '1000'], { env: { ...dataDir('host-a'), AUDITCAST_AUDIT_URL: url } });
    expect(json.stdout.toString()).toBe((await run(['grep', 'rjones', '--json', '-n', '1000'], { env: dataDir('local') })).stdout.toString());
    const hit = await run(['grep', 'ls -la /etc'], { env: { ...dataDir('host-b'), AUDITCAST_AUDIT_URL: url } });
    expect(hit.stdout.toString()).toMatch(/^[0-9a-f-]{36}  00:00  -  bash-5\.2# ls -la \/etc \| head -40\n/);
    // Indexing again on another host leaves one copy of each line.
    const count = async () => Number((await cluster.sql('fleet', 'SELECT count(*) AS n FROM recording_text_lines')).rows[0]!.n);
    const before = await count();
    expect((await run(['index', '--recordings', teleportRecords, '--force'], { env: { ...dataDir('host-a'), AUDITCAST_AUDIT_URL: url } })).code).toBe(0);
    expect(await count()).toBe(before);
  }, 300_000);
});
