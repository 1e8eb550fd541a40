// A fleet: two recorder processes with different server ids write their audit events to one
// PostgreSQL and their recordings to one S3 bucket (the S3 test server); a third process searches
// the shared log and plays the recordings of both. The CLI's record, import, search and ls use the
// same database through --audit-url or AUDITCAST_AUDIT_URL.
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run, runNoInput, tempDir } from '../cli/cli-helpers.js';
import { startS3TestServer, type S3TestServer } from '../uploads/s3-test-server.js';
import { useCluster } from './postgres-helpers.js';

const ROOT = join(import.meta.dirname, '..', '..');
const CHILD = join(import.meta.dirname, 'fleet-child.ts');

const { cluster, database } = useCluster();
let s3: S3TestServer;
beforeAll(async () => { s3 = await startS3TestServer(); });
afterAll(async () => { await s3?.close(); });

function child(args: string[]): Promise<{ code: number | null; lines: Record<string, unknown>[]; stderr: string }> {
  const p = spawn(process.execPath, ['--import', 'tsx', CHILD, ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  p.stdout.on('data', (d: Buffer) => { stdout += d; });
  p.stderr.on('data', (d: Buffer) => { stderr += d; });
  return new Promise((resolve) => p.on('close', (code) => resolve({ code, stderr, lines: stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l)) })));
}

describe('a fleet on one PostgreSQL and one S3 bucket', () => {
  it('two recorders (different server ids) and a third process that searches and plays both', async () => {
    const { name, url } = await database();
    const s3json = JSON.stringify({
      bucket: s3.bucket, region: s3.region, endpoint: s3.endpoint, forcePathStyle: true, credentials: s3.credentials, prefix: `fleet/${randomUUID()}`,
    });
    const servers = [randomUUID(), randomUUID()];
    const dirs = servers.map(() => tempDir('auditcast-fleet-'));
    try {
      const recorded = await Promise.all(servers.map((id, i) => child(['record', url, s3json, id, dirs[i]!.dir])));
      for (const r of recorded) expect(r, r.stderr).toMatchObject({ code: 0 });
      const sessions = recorded.map((r) => r.lines[0] as { sessionId: string; sha256: string; prints: number });

      // the shared table holds both servers' session.start and session.end
      const rows = (await cluster().sql(name, `SELECT session_id::text AS sid, event_type, event_data->>'server_id' AS server FROM events ORDER BY event_time, event_id`)).rows;
      expect(rows).toHaveLength(4);
      for (const [i, s] of sessions.entries()) {
        expect(rows.filter((r) => r.sid === s.sessionId).map((r) => r.event_type).sort()).toEqual(['session.end', 'session.start']);
        expect(rows.find((r) => r.sid === s.sessionId && r.event_type === 'session.start')!.server).toBe(servers[i]);
      }

      const player = tempDir('auditcast-fleet-');
      try {
        const played = await child(['play', url, s3json, player.dir]);
        expect(played, played.stderr).toMatchObject({ code: 0 });
        const bySession = new Map(played.lines.map((l) => [l.sessionId as string, l]));
        expect(bySession.size).toBe(2);
        for (const [i, s] of sessions.entries()) {
          expect(bySession.get(s.sessionId)).toEqual({ ...s, server: servers[i] });
        }
      } finally {
        player.cleanup();
      }
    } finally {
      for (const d of dirs) d.cleanup();
    }
  }, 120_000);
});

describe('the CLI on a PostgreSQL audit log', () => {
  it('record and import write to it, search and ls read it (--audit-url and AUDITCAST_AUDIT_URL)', async () => {
    const { name, url } = await database();
    const tmp = tempDir();
    try {
      const data = join(tmp.dir, 'data');
      const env = { AUDITCAST_DATA_DIR: data };
      const recorded = await runNoInput(['record', '--audit-url', url, '--', 'sh', '-c', 'printf hello'], { env });
      expect(recorded.code, recorded.stderr).toBe(0);
      expect(recorded.stdout.toString()).toBe('hello');
      const recordedId = /session ([0-9a-f-]{36}) recorded/.exec(recorded.stderr)![1]!;

      const cast = join(tmp.dir, 'demo.cast');
      writeFileSync(cast, [JSON.stringify({ version: 2, width: 100, height: 30, timestamp: 1700000000 }), JSON.stringify([0.5, 'o', 'hi\r\n']), ''].join('\n'));
      const imported = await run(['import', '--from', 'asciicast', cast], { env: { ...env, AUDITCAST_AUDIT_URL: url } });
      expect(imported.code, imported.stderr).toBe(0);
      const importedId = imported.stdout.toString().trim();

      const rows = (await cluster().sql(name, 'SELECT session_id::text AS sid, event_type FROM events ORDER BY event_time')).rows;
      expect(rows.filter((r) => r.sid === importedId).map((r) => r.event_type)).toEqual(['session.start', 'session.end']);
      expect(rows.filter((r) => r.sid === recordedId).map((r) => r.event_type)).toEqual(expect.arrayContaining(['session.start', 'session.end']));
      // nothing went to the data dir's file log
      const fileSearch = await run(['search', '--type', 'session.end', '--json'], { env });
      expect(fileSearch.stdout.toString()).toBe('');

      const found = await run(['search', '--type', 'session.end', '--json', '--to', '2100-01-01'], { env: { ...env, AUDITCAST_AUDIT_URL: url } });
      expect(found.code, found.stderr).toBe(0);
      // the process ends once the search is done (no pooled connection or timer holds it open)
      expect(found.ms).toBeLessThan(30_000);
      const sids = found.stdout.toString().trim().split('\n').map((l) => JSON.parse(l).sid);
      expect(sids.sort()).toEqual([importedId, recordedId].sort());

      const listed = await run(['ls', '--json', '--audit-url', url], { env });
      expect(listed.code, listed.stderr).toBe(0);
      const items = listed.stdout.toString().trim().split('\n').map((l) => JSON.parse(l));
      const importedItem = items.find((i) => i.sessionId === importedId);
      expect(importedItem.durationMs).toBe(500); // the end time came from session.end in PostgreSQL
    } finally {
      tmp.cleanup();
    }
  }, 120_000);

  it('a bad --audit-url is one line on stderr with exit 1', async () => {
    const tmp = tempDir();
    try {
      const result = await run(['search', '--audit-url', 'postgres://u:secret@127.0.0.1:1/db'], { env: { AUDITCAST_DATA_DIR: tmp.dir } });
      expect(result.code).toBe(1);
      expect(result.stderr).toMatch(/^auditcast search: PostgreSQL postgres:\/\/u:\*\*\*@127\.0\.0\.1:1\/db: set up the schema: cannot connect: .*ECONNREFUSED/);
      expect(result.stderr).not.toContain('secret');
    } finally {
      tmp.cleanup();
    }
  });
});
