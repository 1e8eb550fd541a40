// Imported sessions' audit events: in the daily file of their own time (a search of that time
// finds them), and importing again (--force) replaces them instead of adding lines.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { TELEPORT_WEB, run, tempDir } from './cli-helpers.js';

const tmp = tempDir('auditcast-import-audit-');
afterAll(() => tmp.cleanup());
const data = join(tmp.dir, 'data');
const env = { AUDITCAST_DATA_DIR: data };
const inputs = [join(TELEPORT_WEB, 'vim.tty.events.json'), join(TELEPORT_WEB, 'vim.tty.stream')];

function logLines(): { file: string; line: string }[] {
  const root = join(data, 'log');
  return readdirSync(root, { withFileTypes: true }).filter((d) => d.isDirectory())
    .flatMap((d) => readdirSync(join(root, d.name)).map((f) => join(root, d.name, f)))
    .flatMap((file) => readFileSync(file, 'utf8').split('\n').filter(Boolean).map((line) => ({ file, line })));
}

describe('import and the audit log', () => {
  it('puts a 2019 session in the 2019 daily file, found by a search of 2019', async () => {
    const imported = await run(['import', '--from', 'legacy', ...inputs], { env });
    expect(imported.code, imported.stderr).toBe(0);
    const lines = logLines();
    expect(lines.length).toBeGreaterThan(0);
    for (const { file } of lines) expect(file).toMatch(/2019-10-04\.00:00:00\.log$/);
    const search = await run(['search', '--from', '2019-10-01', '--to', '2019-10-05', '--json'], { env });
    expect(search.code).toBe(0);
    const events = search.stdout.toString().trim().split('\n').map((l) => JSON.parse(l) as { event: string; sid: string });
    expect(events.map((e) => e.event)).toContain('session.start');
    expect(events.every((e) => e.sid === '516965e5-e6ef-11e9-9d5b-42010a80002b')).toBe(true);
  });

  it('replaces the session\'s lines on import --force, never duplicates them', async () => {
    const before = logLines().map((l) => l.line);
    for (let i = 0; i < 2; i++) {
      const again = await run(['import', '--from', 'legacy', ...inputs, '--force'], { env });
      expect(again.code, again.stderr).toBe(0);
    }
    const after = logLines().map((l) => l.line);
    expect(after.sort()).toEqual(before.sort());
    const uids = after.map((l) => (JSON.parse(l) as { uid: string }).uid);
    expect(new Set(uids).size).toBe(uids.length);
  });

  it('a re-import with another title replaces the session.start line', async () => {
    const script = [join(TELEPORT_WEB, '..', '..', 'corpus', 'typing.timing'), join(TELEPORT_WEB, '..', '..', 'corpus', 'typing.typescript')];
    for (const title of ['first', 'second']) {
      const r = await run(['import', '--from', 'script', ...script, '--title', title, '--force'], { env });
      expect(r.code, r.stderr).toBe(0);
    }
    const starts = logLines().map((l) => JSON.parse(l.line) as { event: string; reason?: string }).filter((e) => e.event === 'session.start' && e.reason);
    expect(starts.map((e) => e.reason)).toEqual(['second']);
  });
});
