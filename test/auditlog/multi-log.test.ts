import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { FileLog } from '../../lib/auditlog/file-log.js';
import { MultiLog, WriterLog } from '../../lib/auditlog/multi-log.js';
import { Timestamp } from '../../lib/events/timestamp.js';

const dirs: string[] = [];
afterEach(() => { for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true }); });

function login(user: string, ms: number) {
  return {
    $type: 'UserLogin' as const,
    Metadata: { Type: 'user.login', Code: 'T1000I', ID: `id-${user}`, Time: Timestamp.fromMillis(ms), Index: 0, ClusterName: '' },
    User: { User: user },
    Status: { Success: true },
    Method: 'local',
  };
}

describe('MultiLog and WriterLog', () => {
  it('writes to every log and searches the first one that can', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'multilog-'));
    dirs.push(dir);
    const now = Date.UTC(2026, 5, 1, 12);
    const fileLog = new FileLog({ dir: join(dir, 'server'), clock: () => now });
    const sink = new PassThrough();
    const lines: string[] = [];
    sink.on('data', (c: Buffer) => lines.push(...c.toString().trim().split('\n')));
    const log = new MultiLog(new WriterLog(sink), fileLog);
    await log.emitAuditEvent(login('bob', now));
    await log.emitAuditEvent(login('alice', now + 1000));
    const { events, lastKey } = await log.searchEvents({ from: new Date(now - 3600e3), to: new Date(now + 3600e3) });
    expect(events.map((e) => (e.User as { User: string }).User)).toEqual(['bob', 'alice']);
    expect(lastKey).toBe('');
    await log.close();
    expect(lines).toHaveLength(2);
    expect(JSON.parse(lines[0]).user).toBe('bob');
  });

  it('says NOT_IMPLEMENTED when no log can search', async () => {
    const log = new MultiLog(new WriterLog(new PassThrough()));
    await expect(log.searchSessionEvents({ from: 0, to: 1 })).rejects.toMatchObject({ code: 'NOT_IMPLEMENTED' });
  });
});
