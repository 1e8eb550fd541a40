import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CreateMultipartUploadCommand, GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { S3Uploader, type S3UploaderOptions } from '../../lib/uploads/s3-uploader.js';
import { startS3TestServer, type S3TestServer } from './s3-test-server.js';
import { expectCode, uploaderObjectSuite } from './uploader-suite.js';

let server: S3TestServer;
beforeAll(async () => { server = await startS3TestServer(); });
afterAll(async () => { await server?.close(); });

function s3(options: Partial<S3UploaderOptions> = {}): S3Uploader {
  return new S3Uploader({
    bucket: server.bucket,
    region: server.region,
    endpoint: server.endpoint,
    forcePathStyle: true,
    credentials: server.credentials,
    prefix: '/test/',
    ...options,
  });
}

uploaderObjectSuite('S3Uploader', async () => ({ uploader: s3({ prefix: `test/${randomUUID()}` }) }), {
  completeTwice: 'succeeds',
  emptyCompleteLeavesNoObject: true,
});

describe('S3Uploader', () => {
  it('stores the recording at <prefix>/<sid>.tar', async () => {
    const uploader = s3({ prefix: '/teleport/records/' });
    const sid = randomUUID();
    const upload = await uploader.createUpload(sid);
    const part = await uploader.uploadPart(upload, 1, Buffer.from('abc'));
    expect(part.etag).toBeTruthy();
    await uploader.completeUpload(upload, [part]);
    const out = await (await uploader.getClient()).send(new GetObjectCommand({ Bucket: server.bucket, Key: `teleport/records/${sid}.tar` }));
    expect(Buffer.from(await out.Body!.transformToByteArray()).toString()).toBe('abc');
    expect(uploader.getUploadMetadata(sid).url).toBe(`s3://${server.bucket}/teleport/records/${sid}`);
    expect(s3({ prefix: '' }).key(sid)).toBe(`${sid}.tar`);
  });

  it('lists only the uploads of its prefix whose key is <prefix>/<uuid>.tar', async () => {
    const prefix = `list/${randomUUID()}`;
    const uploader = s3({ prefix });
    const other = s3({ prefix: `${prefix}-other` });
    const mine = await uploader.createUpload(randomUUID());
    await other.createUpload(randomUUID());
    for (const key of [`${prefix}/not-a-uuid.tar`, `${prefix}/nested/${randomUUID()}.tar`, `${prefix}/${randomUUID()}.json`]) {
      await (await uploader.getClient()).send(new CreateMultipartUploadCommand({ Bucket: server.bucket, Key: key }));
    }
    const listed = await uploader.listUploads();
    expect(listed.map((u) => u.id)).toEqual([mine.id]);
    expect(listed[0]!.sessionId).toBe(mine.sessionId);
  });

  it('completing an upload that was already completed succeeds and aborts it (idempotent)', async () => {
    const uploader = s3();
    const sid = randomUUID();
    const upload = await uploader.createUpload(sid);
    const parts = [await uploader.uploadPart(upload, 1, Buffer.from('done'))];
    await uploader.completeUpload(upload, parts);
    const aborts = server.calls.get('AbortMultipartUpload') ?? 0;
    await uploader.completeUpload(upload, parts);
    expect(server.calls.get('AbortMultipartUpload') ?? 0).toBe(aborts + 1);
    expect((await uploader.download(sid)).toString()).toBe('done');
  });

  it('completing an unknown upload with no object is NOT_FOUND', async () => {
    const uploader = s3();
    const upload = { id: 'ffffffffffffffffffffffffffffffff', sessionId: randomUUID(), initiated: new Date() };
    await expectCode(uploader.completeUpload(upload, [{ number: 1, etag: '"x"', lastModified: new Date() }]), 'NOT_FOUND');
  });

  it('abortUpload drops the upload; aborting twice is fine', async () => {
    const uploader = s3({ prefix: `abort/${randomUUID()}` });
    const upload = await uploader.createUpload(randomUUID());
    await uploader.uploadPart(upload, 1, Buffer.from('x'));
    await uploader.abortUpload(upload);
    await uploader.abortUpload(upload);
    expect(await uploader.listUploads()).toEqual([]);
    await expectCode(uploader.listParts(upload), 'NOT_FOUND');
  });

  it('ACL: empty or a canned ACL, anything else is BAD_PARAMETER', () => {
    expect(() => s3({ acl: '' })).not.toThrow();
    expect(() => s3({ acl: 'bucket-owner-full-control' })).not.toThrow();
    expect(() => s3({ acl: 'something-else' })).toThrow(expect.objectContaining({ code: 'BAD_PARAMETER' }));
  });

  it('uploads with an ACL and SSE settings through to the store', async () => {
    const uploader = s3({ acl: 'bucket-owner-full-control', sse: 'AES256' });
    const sid = randomUUID();
    const upload = await uploader.createUpload(sid);
    await uploader.completeUpload(upload, [await uploader.uploadPart(upload, 1, Buffer.from('acl'))]);
    expect((await uploader.download(sid)).toString()).toBe('acl');
  });

  it('checks options: sse, sseKmsKeyId, unknown names, FIPS with a custom endpoint', () => {
    expect(() => s3({ sse: 'rot13' })).toThrow(expect.objectContaining({ code: 'BAD_PARAMETER' }));
    expect(() => s3({ sseKmsKeyId: 'k' })).toThrow(expect.objectContaining({ code: 'BAD_PARAMETER' }));
    expect(() => s3({ sse: 'aws:kms', sseKmsKeyId: 'k' })).not.toThrow();
    expect(() => s3({ bucketName: 'x' } as unknown as S3UploaderOptions)).toThrow(/unknown option "bucketName"/);
    expect(() => s3({ useFipsEndpoint: true })).toThrow(expect.objectContaining({ code: 'BAD_PARAMETER' }));
    expect(() => s3({ prefix: 'a/../b' })).toThrow(expect.objectContaining({ code: 'BAD_PARAMETER' }));
    expect(() => new S3Uploader({ bucket: '' })).toThrow(expect.objectContaining({ code: 'BAD_PARAMETER' }));
  });

  it('the FIPS switch reaches the client', async () => {
    const fips = new S3Uploader({ bucket: 'b', region: 'us-east-1', useFipsEndpoint: true });
    expect(await (await fips.getClient()).config.useFipsEndpoint()).toBe(true);
    const plain = new S3Uploader({ bucket: 'b', region: 'us-east-1' });
    expect(await (await plain.getClient()).config.useFipsEndpoint()).toBe(false);
    const client = new S3Client({ region: 'us-east-1' });
    expect(await new S3Uploader({ bucket: 'b', client }).getClient()).toBe(client);
  });

  it('a server that is not there is CONNECTION_PROBLEM', async () => {
    const dead = new S3Uploader({
      bucket: 'b', region: 'us-east-1', endpoint: 'http://127.0.0.1:1', forcePathStyle: true,
      credentials: server.credentials, clientConfig: { maxAttempts: 1 },
    });
    await expectCode(dead.download(randomUUID()), 'CONNECTION_PROBLEM');
    await expectCode(dead.createUpload(randomUUID()), 'CONNECTION_PROBLEM');
  });

  it('a missing bucket is NOT_FOUND', async () => {
    await expectCode(s3({ bucket: `missing-${randomUUID()}` }).createUpload(randomUUID()), 'NOT_FOUND');
  });
});

describe('S3Uploader hostile ids', () => {
  it('are BAD_PARAMETER before any request, and no object or upload appears', async () => {
    const { ListObjectsV2Command } = await import('@aws-sdk/client-s3');
    const uploader = s3({ prefix: `hostile/${randomUUID()}` });
    const good = await uploader.createUpload(randomUUID());
    const snapshot = async () => {
      const objects = await (await uploader.getClient()).send(new ListObjectsV2Command({ Bucket: server.bucket }));
      return { objects: (objects.Contents ?? []).map((o) => o.Key).sort(), uploads: (await uploader.listUploads()).map((u) => u.id) };
    };
    const before = await snapshot();
    const requestsBefore = [...server.calls.values()].reduce((a, b) => a + b, 0);
    for (const bad of ['../../etc/passwd', '', '/abs', 'a/b', 'x\0y', 'x'.repeat(5000), `${randomUUID()}/../x`]) {
      for (const call of [
        () => uploader.createUpload(bad),
        () => uploader.upload(bad, Buffer.from('evil')),
        () => uploader.download(bad),
        () => uploader.getUploadMetadata(bad),
        () => uploader.uploadPart({ ...good, sessionId: bad }, 1, Buffer.from('evil')),
        () => uploader.completeUpload({ ...good, sessionId: bad }, []),
      ]) {
        await expect((async () => call())()).rejects.toMatchObject({ code: 'BAD_PARAMETER' });
      }
    }
    await expectCode(uploader.uploadPart(good, 10_001, Buffer.from('x')), 'BAD_PARAMETER');
    await expectCode(uploader.uploadPart(good, 0, Buffer.from('x')), 'BAD_PARAMETER');
    await expectCode(uploader.uploadPart({ ...good, id: '' }, 1, Buffer.from('x')), 'BAD_PARAMETER');
    expect([...server.calls.values()].reduce((a, b) => a + b, 0)).toBe(requestsBefore);
    expect(await snapshot()).toEqual(before);
  });
});

describe('S3Uploader loading', () => {
  it('nothing in lib/ imports the AWS SDK at load time (type imports and the lazy loader only)', async () => {
    const { readdir, readFile } = await import('node:fs/promises');
    const libDir = new URL('../../lib/', import.meta.url);
    const files = (await readdir(libDir, { recursive: true })).filter((f) => f.endsWith('.ts'));
    const offenders: string[] = [];
    for (const file of files) {
      const text = await readFile(new URL(file, libDir), 'utf8');
      for (const m of text.matchAll(/^\s*(import|export)\b(?!\s+type\b)[^;]*?from\s+'@aws-sdk\/[^']+'/gms)) offenders.push(`${file}: ${m[0].trim().split('\n')[0]}`);
      if (/require\(\s*'@aws-sdk/.test(text)) offenders.push(`${file}: require`);
    }
    expect(offenders).toEqual([]);
    const { loadS3Sdk } = await import('../../lib/uploads/s3-uploader.js');
    expect(typeof (await loadS3Sdk()).S3Client).toBe('function');
  });
});

describe('S3Uploader on stores without conditional writes', () => {
  it('falls back to a plain PUT after a 501, still refusing to overwrite (HEAD first)', async () => {
    server.rejectConditionalPuts = true;
    try {
      const uploader = s3();
      const sid = randomUUID();
      await uploader.upload(sid, Buffer.from('first'));
      await expectCode(uploader.upload(sid, Buffer.from('second')), 'ALREADY_EXISTS');
      expect((await uploader.download(sid)).toString()).toBe('first');
    } finally {
      server.rejectConditionalPuts = false;
    }
  });
});

describe('S3Uploader.upload from a stream', () => {
  it('sends a long stream as a multipart upload of uploadPartBytes parts (bounded memory)', async () => {
    const uploader = s3({ prefix: `stream/${randomUUID()}`, uploadPartBytes: 16 });
    const sid = randomUUID();
    const parts = server.calls.get('UploadPart') ?? 0;
    async function* body() {
      for (let i = 0; i < 10; i++) yield Buffer.from(`chunk-${i};`);
    }
    await uploader.upload(sid, body());
    expect((await uploader.download(sid)).toString()).toBe(Array.from({ length: 10 }, (_, i) => `chunk-${i};`).join(''));
    expect((server.calls.get('UploadPart') ?? 0) - parts).toBe(5);
    expect(await uploader.listUploads()).toEqual([]);
  });

  it('a failing stream aborts the multipart upload and leaves no object', async () => {
    const uploader = s3({ prefix: `stream/${randomUUID()}`, uploadPartBytes: 4 });
    const sid = randomUUID();
    async function* body() {
      yield Buffer.from('12345678');
      throw new Error('source broke');
    }
    await expect(uploader.upload(sid, body())).rejects.toMatchObject({ name: 'AuditcastError' });
    await expectCode(uploader.download(sid), 'NOT_FOUND');
    expect(await uploader.listUploads()).toEqual([]);
  });
});
