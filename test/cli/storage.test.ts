// Issue 11 items 1, 2 and 7 as the CLI meets them: a link planted in the data dir is not followed,
// a session with a stale upload beside its recording is listed once, and verify names a hole.
import { randomUUID } from 'node:crypto';
import * as fs from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ProtoStreamer } from '../../lib/stream/proto-streamer.js';
import { FileUploader } from '../../lib/uploads/file-uploader.js';
import { MemoryUploader } from '../../lib/uploads/memory-uploader.js';
import { generateTestSession } from '../helpers/generate-session.js';
import { run, tempDir } from './cli-helpers.js';

const tmp = tempDir();
afterAll(() => tmp.cleanup());

async function dataDir() {
  const root = join(tmp.dir, randomUUID());
  const records = join(root, 'records');
  await fs.mkdir(records, { recursive: true });
  return { root, records, env: { AUDITCAST_DATA_DIR: root } };
}

function session(printEvents: number) {
  const events = generateTestSession({ printEvents });
  return { events, sid: (events[0]!.Session as { SessionID: string }).SessionID };
}

describe('auditcast and a hostile data dir (item 1)', () => {
  it('verify, export and ls refuse a <sid>.tar that is a link out of the data dir', async () => {
    const { root, records, env } = await dataDir();
    const { events, sid } = session(20);
    // A real recording outside the data dir, linked in under a session id.
    const outside = new FileUploader({ directory: join(root, 'outside') });
    const stream = await new ProtoStreamer({ uploader: outside }).createAuditStream(sid);
    for (const event of events) await stream.recordEvent(event);
    await stream.complete();
    await fs.symlink(outside.recordingPath(sid), join(records, `${sid}.tar`));
    for (const args of [['verify', sid], ['export', sid, '--format', 'text']]) {
      const result = await run(args, { env });
      expect(result.code).not.toBe(0);
      expect(result.stderr).toContain(`${sid}.tar: is a symbolic link, refused`);
      expect(result.stdout.length).toBe(0);
    }
    const ls = await run(['ls', '--json'], { env });
    expect(ls.stdout.toString()).not.toContain(sid);
  });
});

describe('auditcast ls with a stale upload beside a recording (item 2)', () => {
  it('lists the session once', async () => {
    const { records, env } = await dataDir();
    const { events, sid } = session(200);
    const uploader = new FileUploader({ directory: records });
    const streamer = new ProtoStreamer({ uploader, minUploadBytes: 4096 });
    const killed = await streamer.createAuditStream(sid);
    for (const event of events.slice(0, 50)) await killed.recordEvent(event);
    await killed.close();
    const full = await streamer.createAuditStream(sid);
    for (const event of events) await full.recordEvent(event);
    await full.complete();
    const ls = await run(['ls', '--json'], { env });
    expect(ls.code).toBe(0);
    const rows = ls.stdout.toString().trim().split('\n').map((l) => JSON.parse(l) as { sessionId: string; status: string });
    expect(rows.filter((r) => r.sessionId === sid)).toEqual([expect.objectContaining({ status: 'complete' })]);
  });
});

describe('auditcast verify and a hole in a recording (item 7)', () => {
  it('reports the missing event indexes and fails', async () => {
    const { records, env } = await dataDir();
    const { events, sid } = session(1500);
    const memory = new MemoryUploader();
    const stream = await new ProtoStreamer({ uploader: memory, minUploadBytes: 2048 }).createAuditStream(sid);
    for (const event of events) await stream.recordEvent(event);
    await stream.complete();
    const parts = memory.getParts(stream.uploadId);
    expect(parts.length).toBeGreaterThan(3);
    // Stitched without its second part, as a completer that ignored the hole would.
    await fs.writeFile(join(records, `${sid}.tar`), Buffer.concat([parts[0]!, ...parts.slice(2)]));
    const result = await run(['verify', sid, '--json'], { env });
    expect(result.code).not.toBe(0);
    const report = JSON.parse(result.stdout.toString()) as { ok: boolean; missingEvents: number; gaps: { from: number; to: number }[] };
    expect(report.ok).toBe(false);
    expect(report.missingEvents).toBeGreaterThan(0);
    expect(report.gaps).toHaveLength(1);
    expect(result.stderr).toContain('hole');

    // The whole recording verifies clean.
    await fs.writeFile(join(records, `${sid}.tar`), Buffer.concat(parts));
    const clean = await run(['verify', sid, '--json'], { env });
    expect(clean.code).toBe(0);
    expect(JSON.parse(clean.stdout.toString())).toMatchObject({ ok: true, missingEvents: 0, gaps: [] });
  });
});
