// Issue 11 item 1: links, FIFOs and hard links planted in directories auditcast owns are never
// followed out of them. Each case plants what an attacker with write access to the directory could,
// next to a "victim" file outside it, and checks the victim is untouched and the refusal is coded.
import { randomUUID } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { FileLog } from '../../lib/auditlog/file-log.js';
import { logFileName, utcDayStart } from '../../lib/auditlog/file-time.js';
import { ProtoStreamer } from '../../lib/stream/proto-streamer.js';
import { AsyncUploader } from '../../lib/uploads/async-uploader.js';
import { FileUploader } from '../../lib/uploads/file-uploader.js';
import { MemoryUploader } from '../../lib/uploads/memory-uploader.js';
import { UploadCompleter } from '../../lib/uploads/upload-completer.js';
import { generateTestSession } from '../helpers/generate-session.js';
import { tempDir as sharedTempDir } from '../helpers/temp-dir.js';

const tempDir = () => sharedTempDir('auditcast-hostile-');

const VICTIM_TEXT = 'victim: must never change\n';

/** A data dir D and a victim file outside it. */
async function setup() {
  const root = await tempDir();
  const directory = path.join(root, 'records');
  const victim = path.join(root, 'victim.txt');
  await fs.writeFile(victim, VICTIM_TEXT);
  const uploader = new FileUploader({ directory });
  return { root, directory, victim, uploader };
}

async function expectVictimIntact(victim: string): Promise<void> {
  expect(await fs.readFile(victim, 'utf8')).toBe(VICTIM_TEXT);
}

const refused = { name: 'AuditcastError', code: 'ACCESS_DENIED' };

describe('FileUploader in a hostile data dir', () => {
  it('a link at the old predictable completion temp name is never truncated, and <sid>.tar is a real file', async () => {
    const { victim, uploader } = await setup();
    const upload = await uploader.createUpload(randomUUID());
    await uploader.uploadPart(upload, 1, Buffer.from('recording bytes'));
    await fs.symlink(victim, path.join(uploader.uploadsRoot(), `.${upload.sessionId}.${upload.id}.tmp`));
    await uploader.completeUpload(upload, await uploader.listParts(upload));
    await expectVictimIntact(victim);
    const recording = await fs.lstat(uploader.recordingPath(upload.sessionId));
    expect(recording.isFile()).toBe(true);
    expect((await uploader.download(upload.sessionId)).toString()).toBe('recording bytes');
  });

  it('a link at N.reservation is refused, not overwritten (reserve and upload)', async () => {
    const { victim, uploader } = await setup();
    const upload = await uploader.createUpload(randomUUID());
    await fs.symlink(victim, uploader.reservationPath(upload, 1));
    await expect(uploader.reserveUploadPart(upload, 1)).rejects.toMatchObject(refused);
    await expect(uploader.uploadPart(upload, 1, Buffer.from('x'))).rejects.toMatchObject(refused);
    await expectVictimIntact(victim);
    await expect(uploader.reserveUploadPart(upload, 1)).rejects.toThrow(uploader.reservationPath(upload, 1));
  });

  it('a hard link at N.reservation is refused', async () => {
    const { victim, uploader } = await setup();
    const upload = await uploader.createUpload(randomUUID());
    await fs.link(victim, uploader.reservationPath(upload, 1));
    await expect(uploader.uploadPart(upload, 1, Buffer.from('x'))).rejects.toMatchObject(refused);
    await expectVictimIntact(victim);
  });

  it('a linked N.part never copies a foreign file into a recording (listParts, completeUpload, completer)', async () => {
    const { victim, uploader } = await setup();
    const upload = await uploader.createUpload(randomUUID());
    await uploader.uploadPart(upload, 1, Buffer.from('ours'));
    await fs.symlink(victim, uploader.partPath(upload, 3));
    await expect(uploader.listParts(upload)).rejects.toMatchObject(refused);
    await expect(uploader.completeUpload(upload, [{ number: 1, lastModified: new Date() }, { number: 3, lastModified: new Date() }]))
      .rejects.toMatchObject(refused);
    const result = await new UploadCompleter({ uploader, gracePeriodMs: -1 }).checkUploads();
    expect(result.errors[0]!.error).toMatchObject(refused);
    await expect(uploader.download(upload.sessionId)).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('links at <sid>.tar and multi/<uuid> are not followed by download, downloadStream or listParts', async () => {
    const { root, victim, uploader } = await setup();
    const sid = randomUUID();
    await uploader.createUpload(randomUUID()); // creates D and multi/
    await fs.symlink(victim, uploader.recordingPath(sid));
    await expect(uploader.download(sid)).rejects.toMatchObject(refused);
    await expect(uploader.downloadStream(sid)).rejects.toMatchObject(refused);

    const foreign = path.join(root, 'foreign-upload', sid);
    await fs.mkdir(foreign, { recursive: true });
    await fs.writeFile(path.join(foreign, '1.part'), 'foreign');
    const uploadId = randomUUID();
    await fs.symlink(path.join(root, 'foreign-upload'), path.join(uploader.uploadsRoot(), uploadId));
    const upload = { id: uploadId, sessionId: sid, initiated: new Date() };
    await expect(uploader.listParts(upload)).rejects.toMatchObject(refused);
    await expect(uploader.uploadPart(upload, 3, Buffer.from('x'))).rejects.toMatchObject(refused);
    expect((await uploader.listUploads()).map((u) => u.id)).not.toContain(uploadId);
    expect(await fs.readdir(foreign)).toEqual(['1.part']);
  });

  it('a FIFO at <sid>.tar is refused at once, never waited on', async () => {
    const { directory, uploader } = await setup();
    const sid = randomUUID();
    await fs.mkdir(directory, { recursive: true });
    execFileSync('mkfifo', [uploader.recordingPath(sid)]);
    await expect(uploader.download(sid)).rejects.toMatchObject(refused);
    await expect(uploader.downloadStream(sid)).rejects.toMatchObject(refused);
  });

  it('a link at <sid>.tar is never replaced nor followed by upload()', async () => {
    const { victim, uploader } = await setup();
    const sid = randomUUID();
    await uploader.createUpload(randomUUID());
    await fs.symlink(victim, uploader.recordingPath(sid));
    await expect(uploader.upload(sid, Buffer.from('new'))).rejects.toMatchObject(refused);
    await expectVictimIntact(victim);
  });
});

describe('AsyncUploader in a hostile scan dir', () => {
  it('a linked <sid>.checkpoint is refused, never overwritten; the recording stays for later', async () => {
    const { root, victim } = await setup();
    const scanDir = path.join(root, 'streaming');
    const events = generateTestSession({ printEvents: 20 });
    const sid = (events[0]!.Session as { SessionID: string }).SessionID;
    const local = new ProtoStreamer({ uploader: new FileUploader({ directory: scanDir }), minUploadBytes: 128 * 1024 });
    const stream = await local.createAuditStream(sid);
    for (const event of events) await stream.recordEvent(event);
    await stream.complete();
    await fs.symlink(victim, path.join(scanDir, `${sid}.checkpoint`));
    const upstream = new MemoryUploader();
    const errors: unknown[] = [];
    const uploader = new AsyncUploader({
      scanDir, corruptedDir: path.join(root, 'corrupted'), streamer: new ProtoStreamer({ uploader: upstream }),
      onUploadEvent: (e) => { if (e.error) errors.push(e.error); },
    });
    expect((await uploader.scan()).started).toBe(1);
    await uploader.drain();
    await expectVictimIntact(victim);
    expect(errors[0]).toMatchObject(refused);
    expect((await fs.lstat(path.join(scanDir, `${sid}.tar`))).isFile()).toBe(true);
    expect(await upstream.listUploads()).toEqual([]);
  });

  it('a .locks dir linked elsewhere gets no lock file, and the upload waits', async () => {
    const { root } = await setup();
    const scanDir = path.join(root, 'streaming');
    const elsewhere = path.join(root, 'elsewhere');
    await fs.mkdir(scanDir);
    await fs.mkdir(elsewhere);
    await fs.symlink(elsewhere, path.join(scanDir, '.locks'));
    await fs.writeFile(path.join(scanDir, `${randomUUID()}.tar`), 'x');
    const uploader = new AsyncUploader({ scanDir, corruptedDir: path.join(root, 'corrupted'), streamer: new ProtoStreamer({ uploader: new MemoryUploader() }) });
    await expect(uploader.scan()).rejects.toMatchObject(refused);
    expect(await fs.readdir(elsewhere)).toEqual([]);
  });

  it('a linked <sid>.tar is not uploaded (not ours), and not moved', async () => {
    const { root, victim } = await setup();
    const scanDir = path.join(root, 'streaming');
    await fs.mkdir(scanDir);
    const sid = randomUUID();
    await fs.symlink(victim, path.join(scanDir, `${sid}.tar`));
    const upstream = new MemoryUploader();
    const uploader = new AsyncUploader({ scanDir, corruptedDir: path.join(root, 'corrupted'), streamer: new ProtoStreamer({ uploader: upstream }) });
    expect(await uploader.scan()).toMatchObject({ started: 0, corrupted: 1 });
    await uploader.drain();
    expect(await upstream.listUploads()).toEqual([]);
    await expectVictimIntact(victim);
  });
});

describe('FileLog in a hostile log dir', () => {
  it('a linked daily file gets no events appended to its target', async () => {
    const { root, victim } = await setup();
    const dir = path.join(root, 'log');
    await fs.mkdir(dir);
    const now = Date.UTC(2024, 0, 15, 12);
    await fs.symlink(victim, path.join(dir, logFileName(utcDayStart(now))));
    const log = new FileLog({ dir, clock: () => now });
    try {
      await expect(log.emitAuditEvent({
        $type: 'UserLogin', Metadata: { Type: 'user.login', Code: 'T1000I', Time: new Date(now) }, User: { User: 'alice' }, Status: { Success: true },
      } as never)).rejects.toMatchObject(refused);
    } finally {
      await log.close();
    }
    await expectVictimIntact(victim);
  });
});
