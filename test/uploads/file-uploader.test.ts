import { randomUUID } from 'node:crypto';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { AuditcastError } from '../../lib/errors.js';
import { FileUploader } from '../../lib/uploads/file-uploader.js';
import type { StreamUpload } from '../../lib/uploads/multipart-uploader.js';
import { expectCode, uploaderObjectSuite } from './uploader-suite.js';
import { tempDir as sharedTempDir } from '../helpers/temp-dir.js';

const tempDir = () => sharedTempDir('auditcast-file-uploader-');

const mode = async (p: string) => (await fs.stat(p)).mode & 0o777;

uploaderObjectSuite('FileUploader', async () => {
  const dir = await tempDir();
  return { uploader: new FileUploader({ directory: path.join(dir, 'records') }) };
}, { completeTwice: 'succeeds', emptyCompleteLeavesNoObject: true });

describe('FileUploader layout (Teleport filesessions)', () => {
  it('creates multi/<uploadId>/<sessionId>/, reservations of 196,608 bytes, parts renamed from them', async () => {
    const root = path.join(await tempDir(), 'records');
    const uploader = new FileUploader({ directory: root });
    const sid = randomUUID();
    const upload = await uploader.createUpload(sid);
    expect(upload.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    const uploadDir = path.join(root, 'multi', upload.id, sid);
    expect((await fs.stat(uploadDir)).isDirectory()).toBe(true);
    expect(await mode(root)).toBe(0o750);
    expect(await mode(path.join(root, 'multi'))).toBe(0o700);
    expect(await mode(path.join(root, 'multi', upload.id))).toBe(0o700);
    expect(await mode(uploadDir)).toBe(0o700);

    await uploader.reserveUploadPart(upload, 1);
    const reservation = path.join(uploadDir, '1.reservation');
    const stat = await fs.stat(reservation);
    expect(stat.size).toBe(196_608);
    expect(stat.size).toBeGreaterThanOrEqual(uploader.minUploadBytes);
    expect(stat.mode & 0o777).toBe(0o600);
    expect((await fs.readFile(reservation)).every((b) => b === 0)).toBe(true);

    const contents = Buffer.from('upload part contents');
    const part = await uploader.uploadPart(upload, 1, contents);
    expect(part.number).toBe(1);
    expect(part.lastModified).toBeInstanceOf(Date);
    await expect(fs.stat(reservation)).rejects.toMatchObject({ code: 'ENOENT' });
    const partFile = path.join(uploadDir, '1.part');
    expect(await fs.readFile(partFile)).toEqual(contents);
    expect(await mode(partFile)).toBe(0o600);

    await uploader.completeUpload(upload, await uploader.listParts(upload));
    const tar = path.join(root, `${sid}.tar`);
    expect(await fs.readFile(tar)).toEqual(contents);
    expect(await mode(tar)).toBe(0o600);
    // The upload dir is gone (cf. Teleport issue #60860) and no temp or lock file is left behind.
    await expect(fs.stat(path.join(root, 'multi', upload.id))).rejects.toMatchObject({ code: 'ENOENT' });
    expect(await fs.readdir(path.join(root, 'multi'))).toEqual([]);
    expect(uploader.getUploadMetadata(sid).url).toBe(`file://${root}/multi/${sid}`);
  });

  it('the reservation size follows minUploadBytes + 64 KiB', async () => {
    const uploader = new FileUploader({ directory: await tempDir(), minUploadBytes: 1024 });
    const upload = await uploader.createUpload(randomUUID());
    await uploader.reserveUploadPart(upload, 5);
    expect((await fs.stat(uploader.reservationPath(upload, 5))).size).toBe(1024 + 65_536);
  });

  it('a failed reservation leaves no file behind', async () => {
    const uploader = new FileUploader({ directory: await tempDir() });
    const upload = await uploader.createUpload(randomUUID());
    // A directory where the reservation file should go makes the open fail.
    await fs.mkdir(uploader.reservationPath(upload, 1));
    await expect(uploader.reserveUploadPart(upload, 1)).rejects.toBeInstanceOf(AuditcastError);
    await fs.rmdir(uploader.reservationPath(upload, 1));
    expect(await fs.readdir(uploader.uploadPath(upload))).toEqual([]);
  });

  it('listParts takes only <int>.part files, ascending', async () => {
    const uploader = new FileUploader({ directory: await tempDir() });
    const upload = await uploader.createUpload(randomUUID());
    for (const n of [10, 2, 1]) await uploader.uploadPart(upload, n, Buffer.from(String(n)));
    await uploader.reserveUploadPart(upload, 3);
    const dir = uploader.uploadPath(upload);
    for (const junk of ['abc.part', '2.part.bak', '-1.part', '4.partial', '.5.part', '6.PART', 'README']) {
      await fs.writeFile(path.join(dir, junk), 'x');
    }
    await fs.mkdir(path.join(dir, '7.part'));
    expect((await uploader.listParts(upload)).map((p) => p.number)).toEqual([1, 2, 10]);
    expect(await uploader.listParts({ ...upload, id: randomUUID() })).toEqual([]);
  });

  it('listUploads skips foreign files and dirs; Initiated is the upload dir mtime', async () => {
    const root = await tempDir();
    const uploader = new FileUploader({ directory: root });
    const good = await uploader.createUpload(randomUUID());
    const multi = path.join(root, 'multi');
    await fs.writeFile(path.join(multi, randomUUID()), 'a file named like an upload');
    await fs.mkdir(path.join(multi, 'not-a-uuid', randomUUID()), { recursive: true });
    await fs.mkdir(path.join(multi, randomUUID()));                                    // empty
    const two = path.join(multi, randomUUID());
    await fs.mkdir(path.join(two, randomUUID()), { recursive: true });
    await fs.mkdir(path.join(two, randomUUID()));                                      // two session dirs
    const withFile = path.join(multi, randomUUID());
    await fs.mkdir(withFile);
    await fs.writeFile(path.join(withFile, randomUUID()), 'x');                        // a file, not a dir
    const extra = path.join(multi, randomUUID());
    await fs.mkdir(path.join(extra, randomUUID()), { recursive: true });
    await fs.writeFile(path.join(extra, 'stray'), 'x');                                // dir + a file
    await fs.mkdir(path.join(multi, randomUUID(), 'session-not-uuid'), { recursive: true });

    const listed = await uploader.listUploads();
    expect(listed.map((u) => [u.id, u.sessionId])).toEqual([[good.id, good.sessionId]]);
    const mtime = (await fs.stat(path.join(multi, good.id))).mtime;
    expect(listed[0]!.initiated.getTime()).toBe(mtime.getTime());
    expect(await new FileUploader({ directory: path.join(root, 'nothing-here') }).listUploads()).toEqual([]);
  });

  it('completes a directory laid out by hand as Teleport writes it', async () => {
    const root = await tempDir();
    const uploadId = randomUUID();
    const sid = randomUUID();
    const sessionDir = path.join(root, 'multi', uploadId, sid);
    await fs.mkdir(sessionDir, { recursive: true, mode: 0o700 });
    // Teleport's parts: numbered 1, 3, 5 (a resumed stream skips numbers), each a whole slice.
    const parts = new Map([[1, 'first-slice|'], [3, 'second-slice|'], [5, 'last-slice']]);
    for (const [n, body] of parts) await fs.writeFile(path.join(sessionDir, `${n}.part`), body, { mode: 0o600 });
    await fs.writeFile(path.join(sessionDir, '7.reservation'), Buffer.alloc(196_608), { mode: 0o600 });

    const uploader = new FileUploader({ directory: root });
    const [upload] = await uploader.listUploads();
    expect(upload).toMatchObject({ id: uploadId, sessionId: sid });
    const listed = await uploader.listParts(upload!);
    expect(listed.map((p) => p.number)).toEqual([1, 3, 5]);
    await uploader.completeUpload(upload!, listed);
    expect((await uploader.download(sid)).toString()).toBe('first-slice|second-slice|last-slice');
    expect(await fs.readdir(path.join(root, 'multi'))).toEqual([]);
  });

  it('leaves a directory Teleport can complete: only <uuid>/<sid>/<N>.part|reservation files', async () => {
    const root = await tempDir();
    const uploader = new FileUploader({ directory: root });
    const sid = randomUUID();
    const upload = await uploader.createUpload(sid);
    await uploader.reserveUploadPart(upload, 1);
    await uploader.uploadPart(upload, 1, Buffer.from('a'));
    await uploader.reserveUploadPart(upload, 2);
    const tree = await walk(root);
    expect(tree.sort()).toEqual([
      'multi/', `multi/${upload.id}/`, `multi/${upload.id}/${sid}/`,
      `multi/${upload.id}/${sid}/1.part`, `multi/${upload.id}/${sid}/2.reservation`,
    ].sort());
  });

  it('a failing onBeforeComplete leaves no recording and the upload completable again', async () => {
    let calls = 0;
    const root = await tempDir();
    const uploader = new FileUploader({
      directory: root,
      onBeforeComplete: () => {
        calls++;
        if (calls === 1) throw new AuditcastError('CONNECTION_PROBLEM', 'simulate failure 1');
      },
    });
    const sid = randomUUID();
    const upload = await uploader.createUpload(sid);
    await uploader.uploadPart(upload, 1, Buffer.from('resumed'));
    await expectCode(uploader.completeUpload(upload, await uploader.listParts(upload)), 'CONNECTION_PROBLEM');
    await expectCode(uploader.download(sid), 'NOT_FOUND');
    expect((await uploader.listUploads()).map((u) => u.id)).toEqual([upload.id]);
    await uploader.completeUpload(upload, await uploader.listParts(upload));
    expect((await uploader.download(sid)).toString()).toBe('resumed');
  });

  it('a completion killed after publishing (or mid-join) is finished by the next process: no stale copy, no temp file left', async () => {
    const root = await tempDir();
    const sid = randomUUID();
    const first = new FileUploader({ directory: root });
    const upload = await first.createUpload(sid);
    await first.uploadPart(upload, 1, Buffer.from('hello '));
    await first.uploadPart(upload, 2, Buffer.from('world'));
    // What a process SIGKILLed between link(2) and its clean-up leaves: the recording published,
    // its temp file and the upload dir still there.
    const multi = first.uploadsRoot();
    await fs.writeFile(path.join(multi, `.${sid}.${upload.id}.0123456789abcdef01234567.tmp`), 'hello wor');
    await fs.writeFile(first.recordingPath(sid), 'hello world');
    const next = new FileUploader({ directory: root });
    await next.completeUpload(upload, await next.listParts(upload));
    expect((await next.download(sid)).toString()).toBe('hello world');
    expect((await fs.readdir(root)).sort(), 'no stale copy').toEqual([`${sid}.tar`, 'multi'].sort());
    expect(await fs.readdir(multi)).toEqual([]);
    // A different recording under the same session is still never replaced.
    const other = await next.createUpload(sid);
    await next.uploadPart(other, 1, Buffer.from('hello there'));
    await expectCode(next.completeUpload(other, await next.listParts(other)), 'ALREADY_EXISTS');
    expect((await next.download(sid)).toString()).toBe('hello world');
  });

  it('completion lock: a live holder blocks after 3 tries, a dead one is broken', async () => {
    const root = await tempDir();
    const uploader = new FileUploader({ directory: root });
    const sid = randomUUID();
    const upload = await uploader.createUpload(sid);
    await uploader.uploadPart(upload, 1, Buffer.from('locked'));
    const lock = path.join(root, 'multi', `.${sid}.lock`);
    await fs.writeFile(lock, `${process.pid}\n`);
    const started = Date.now();
    await expectCode(uploader.completeUpload(upload, await uploader.listParts(upload)), 'CONNECTION_PROBLEM');
    expect(Date.now() - started).toBeGreaterThanOrEqual(90);
    await expectCode(uploader.download(sid), 'NOT_FOUND');

    await fs.writeFile(lock, '2147483646\n'); // no such pid
    await uploader.completeUpload(upload, await uploader.listParts(upload));
    expect((await uploader.download(sid)).toString()).toBe('locked');
    await expect(fs.stat(lock)).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('concurrent completions of two uploads of one session: one recording, the other kept beside it, never a mix', async () => {
    const uploader = new FileUploader({ directory: await tempDir(), lockAttempts: 50 });
    const sid = randomUUID();
    const a = await uploader.createUpload(sid);
    const b = await uploader.createUpload(sid);
    await uploader.uploadPart(a, 1, Buffer.alloc(300_000, 1));
    await uploader.uploadPart(b, 1, Buffer.alloc(300_000, 2));
    const results = await Promise.allSettled([uploader.completeUpload(a, await uploader.listParts(a)), uploader.completeUpload(b, await uploader.listParts(b))]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const rejected = results.findIndex((r) => r.status === 'rejected');
    expect((results[rejected] as PromiseRejectedResult).reason).toMatchObject({ code: 'ALREADY_EXISTS' });
    const out = await uploader.download(sid);
    expect(out.byteLength).toBe(300_000);
    expect(out.every((x) => x === out[0])).toBe(true); // one whole recording, never a mix
    const kept = await fs.readFile(uploader.staleRecordingPath(rejected === 0 ? a : b));
    expect(kept.byteLength).toBe(300_000);
    expect(kept[0]).not.toBe(out[0]);
  });

  it('upload() publishes whole or not at all: a failing body leaves no recording and no temp file', async () => {
    const root = await tempDir();
    const uploader = new FileUploader({ directory: root });
    const sid = randomUUID();
    async function* failing() {
      yield Buffer.from('half a recording');
      throw new Error('source broke');
    }
    await expect(uploader.upload(sid, failing())).rejects.toBeInstanceOf(AuditcastError);
    await expectCode(uploader.download(sid), 'NOT_FOUND');
    expect(await fs.readdir(path.join(root, 'multi'))).toEqual([]);
    await uploader.upload(sid, Buffer.from('whole'));
    expect(await mode(path.join(root, `${sid}.tar`))).toBe(0o600);
    expect(await fs.readdir(path.join(root, 'multi'))).toEqual([]);
  });

  it('checks its options', () => {
    expect(() => new FileUploader({} as never)).toThrow(expect.objectContaining({ code: 'BAD_PARAMETER' }));
    expect(() => new FileUploader({ directory: '/tmp/x', minUploadBytes: 0 })).toThrow(/minUploadBytes/);
    expect(() => new FileUploader({ directory: '/tmp/x', dir: 1 } as never)).toThrow(/unknown option "dir"/);
  });
});

describe('hostile ids never escape the directory', () => {
  const hostile = [
    '../../etc/passwd', '..', '.', '', '/etc/passwd', '/abs/../../x', 'a/b', 'a\\b', 'sid\0.tar',
    `${randomUUID()}/../x`, `${randomUUID()}\0`, `../${randomUUID()}`, 'x'.repeat(10_000),
    `${randomUUID()} `, ` ${randomUUID()}`, `${randomUUID()}.tar`, '%2e%2e%2f', 'C:\\Windows',
  ];

  it('every entry point rejects them with BAD_PARAMETER and nothing is written outside', async () => {
    const tempRoot = await tempDir();
    // Deep enough that a '../..' that got through would still land inside tempRoot and show up.
    const root = path.join(tempRoot, 'a', 'b', 'c', 'records');
    const uploader = new FileUploader({ directory: root });
    const good = await uploader.createUpload(randomUUID());
    await uploader.uploadPart(good, 1, Buffer.from('ok'));
    const before = await walk(tempRoot);

    for (const bad of hostile) {
      const calls: Array<() => unknown> = [
        () => uploader.createUpload(bad),
        () => uploader.upload(bad, Buffer.from('evil')),
        () => uploader.download(bad),
        () => uploader.downloadStream(bad),
        () => uploader.getUploadMetadata(bad),
      ];
      const uploads: StreamUpload[] = [{ ...good, id: bad }, { ...good, sessionId: bad }];
      for (const upload of uploads) {
        calls.push(
          () => uploader.reserveUploadPart(upload, 1),
          () => uploader.uploadPart(upload, 1, Buffer.from('evil')),
          () => uploader.listParts(upload),
          () => uploader.completeUpload(upload, [{ number: 1, lastModified: new Date() }]),
          () => uploader.completeUpload(upload, []),
          () => uploader.abortUpload(upload),
        );
      }
      for (const call of calls) {
        await expect((async () => call())()).rejects.toMatchObject({ code: 'BAD_PARAMETER' });
      }
    }
    for (const badNumber of [-1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 60]) {
      await expectCode(uploader.uploadPart(good, badNumber, Buffer.from('x')), 'BAD_PARAMETER');
    }
    expect(await walk(tempRoot)).toEqual(before);
    // And the good upload still completes.
    await uploader.completeUpload(good, await uploader.listParts(good));
    expect((await uploader.download(good.sessionId)).toString()).toBe('ok');
  });

  it('ids may be any canonical UUID, either case', async () => {
    const uploader = new FileUploader({ directory: await tempDir() });
    for (const sid of ['00000000-0000-0000-0000-000000000000', randomUUID().toUpperCase(), 'ffffffff-ffff-ffff-ffff-ffffffffffff']) {
      await uploader.upload(sid, Buffer.from(sid));
      expect((await uploader.download(sid)).toString()).toBe(sid);
    }
  });
});

/** Every path under root (dirs end with '/') with its size, for before/after comparisons. */
async function walk(root: string): Promise<string[]> {
  const out: string[] = [];
  async function visit(dir: string, rel: string) {
    for (const entry of await fs.readdir(dir, { withFileTypes: true })) {
      const relPath = rel ? `${rel}/${entry.name}` : entry.name;
      if (entry.isDirectory()) {
        out.push(`${relPath}/`);
        await visit(path.join(dir, entry.name), relPath);
      } else {
        out.push(relPath);
      }
    }
  }
  await visit(root, '');
  return out.sort();
}
