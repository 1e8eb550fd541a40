// The console on recordings in S3 (the S3 test server): it lists and plays them exactly as it does
// the same files in a directory (sessions, the stream from a moment, keyframes, previews, grep),
// reading them where they are with ranged GETs: listing reads no object, a first frame and a seek
// read a few windows of a multi-part recording (the test server counts the bytes it sends), and a
// truncated or changed object fails with an AuditcastError that names it and the byte.
import { mkdtempSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FileLog } from '../../lib/auditlog/file-log.js';
import { backend } from '../../lib/codec/index.js';
import { IndexScreenSource } from '../../lib/console/index-screen-source.js';
import { IndexThread } from '../../lib/console/index-thread.js';
import { DirRecordingStore, S3RecordingStore } from '../../lib/console/recordings.js';
import { type ConsoleServer, startConsoleServer } from '../../lib/console/server.js';
import { RecordingIndex } from '../../lib/index-store/recording-index.js';
import { AuditcastError } from '../../lib/errors.js';
import { readRecordingFrom } from '../../lib/stream/positioned-reader.js';
import { S3RecordingSource } from '../../lib/uploads/s3-recording-source.js';
import { S3Uploader } from '../../lib/uploads/s3-uploader.js';
import { startS3TestServer, type S3TestServer } from '../uploads/s3-test-server.js';
import { BUILD_SID, type ConsoleData, makeConsoleData, TYPING_SID } from './console-fixture.js';
import { type LargeRecording, writeLargeRecording } from './large-recording.js';

let s3: S3TestServer;
let data: ConsoleData;
let source: S3RecordingSource;
let big: LargeRecording;
let bigSource: S3RecordingSource;
let bigIndex: RecordingIndex;
let bigS3: ConsoleServer;
let bigDir: ConsoleServer;

const BIG_SID = '3d4e5f60-7a8b-4c9d-8e0f-1a2b3c4d5e6f';
const TRUNCATED_SID = '4e5f6071-8b9c-4dae-9f10-2b3c4d5e6f70';
const HUGE_PART_SID = '5f607182-9cad-4ebf-a021-3c4d5e6f7081';
const servers: ConsoleServer[] = [];
const indexes: RecordingIndex[] = [];
let fromDir: ConsoleServer;
let fromS3: ConsoleServer;

async function serve(recordings: DirRecordingStore | S3RecordingStore, indexDir: string, warm = true): Promise<ConsoleServer> {
  const index = new RecordingIndex({ dir: indexDir });
  indexes.push(index);
  const screen = new IndexScreenSource(index);
  if (warm) await screen.warm(await recordings.list());
  const server = await startConsoleServer({ listen: '127.0.0.1:0', log: new FileLog({ dir: data.logDir }), recordings, screen });
  servers.push(server);
  return server;
}

async function get(server: ConsoleServer, path: string): Promise<{ status: number; text: string }> {
  const res = await fetch(server.url + path, { headers: { authorization: `Bearer ${server.token}` } });
  return { status: res.status, text: await res.text() };
}

beforeAll(async () => {
  s3 = await startS3TestServer();
  data = await makeConsoleData();
  const uploader = new S3Uploader({ bucket: s3.bucket, prefix: 'records', endpoint: s3.endpoint, forcePathStyle: true, credentials: s3.credentials });
  for (const sid of [TYPING_SID, BUILD_SID]) await uploader.upload(sid, readFileSync(join(data.recordsDir, `${sid}.tar`)));
  // Not recordings: another prefix, a name that is not a session id.
  const other = new S3Uploader({ bucket: s3.bucket, prefix: 'elsewhere', endpoint: s3.endpoint, forcePathStyle: true, credentials: s3.credentials });
  await other.upload('0f0e0d0c-0b0a-4909-8807-060504030201', readFileSync(join(data.recordsDir, `${TYPING_SID}.tar`)));
  // The URL form takes credentials from the AWS SDK's chain, as the CLI does.
  process.env.AWS_ACCESS_KEY_ID = s3.credentials.accessKeyId;
  process.env.AWS_SECRET_ACCESS_KEY = s3.credentials.secretAccessKey;
  source = new S3RecordingSource(`s3://${s3.bucket}/records?endpoint=${encodeURIComponent(s3.endpoint)}&region=${s3.region}`);
  fromDir = await serve(new DirRecordingStore(data.recordsDir), join(data.root, 'index-dir'));
  fromS3 = await serve(new S3RecordingStore(source), join(data.root, 'index-s3'));

  // A multi-part recording (parts cut at 256 KiB of gzip), in its own prefix with hostile neighbours.
  const largeDir = mkdtempSync(join(data.root, 'large-'));
  big = await writeLargeRecording(largeDir, BIG_SID, 24 * 1024 * 1024, undefined, 256 * 1024);
  const bigBytes = readFileSync(big.path);
  const bigUploader = new S3Uploader({ bucket: s3.bucket, prefix: 'big', endpoint: s3.endpoint, forcePathStyle: true, credentials: s3.credentials });
  await bigUploader.upload(BIG_SID, bigBytes);
  // Cut in the middle of a part.
  await bigUploader.upload(TRUNCATED_SID, bigBytes.subarray(0, Math.floor(bigBytes.length / 2)));
  // The first part's header claims 2^40 bytes.
  const huge = Buffer.from(bigBytes.subarray(0, 64 * 1024));
  huge.writeBigUInt64BE(1n << 40n, 8);
  await bigUploader.upload(HUGE_PART_SID, huge);
  bigSource = new S3RecordingSource({ bucket: s3.bucket, prefix: 'big', endpoint: s3.endpoint, forcePathStyle: true, credentials: s3.credentials });
  bigS3 = await serve(new S3RecordingStore(bigSource), join(data.root, 'index-big-s3'), false);
  bigIndex = indexes.at(-1)!;
  bigDir = await serve(new DirRecordingStore(largeDir), join(data.root, 'index-big-dir'));
}, 120_000);

afterAll(async () => {
  for (const server of servers) await server.close();
  for (const index of indexes) await index.close();
  await s3?.close();
  data?.cleanup();
});

describe(`console with --recordings s3:// (${backend} backend)`, () => {
  it('lists the bucket\'s recordings as the directory\'s, and plays them the same', async () => {
    const sessions = await get(fromS3, '/api/sessions');
    expect(sessions.status).toBe(200);
    expect(sessions.text).toBe((await get(fromDir, '/api/sessions')).text);
    expect(sessions.text).toContain(BUILD_SID);
    for (const sid of [TYPING_SID, BUILD_SID]) {
      for (const path of [`/api/sessions/${sid}`, `/api/sessions/${sid}/stream`, `/api/sessions/${sid}/stream?t=2.5`, `/api/sessions/${sid}/keyframe?t=3`,
        `/api/sessions/${sid}/preview`, `/api/sessions/${sid}/outline`]) {
        const got = await get(fromS3, path);
        expect(got.status, path).toBe(200);
        expect(got.text, path).toBe((await get(fromDir, path)).text);
      }
    }
    const grep = await get(fromS3, '/api/grep?q=ls%20-la');
    expect(JSON.parse(grep.text).hits.length).toBeGreaterThan(0);
    expect(grep.text).toBe((await get(fromDir, '/api/grep?q=ls%20-la')).text);
    expect((await get(fromS3, '/api/sessions/0f0e0d0c-0b0a-4909-8807-060504030201')).status).toBe(404);
    expect((await get(fromS3, '/api/sessions/not-a-uuid')).status).toBe(404);
  });

  it('lists a bucket from the listing alone: no object is read', async () => {
    const reads = s3.objectReads.length;
    const listed = await new S3RecordingStore(bigSource).list();
    expect(listed.map((r) => r.sessionId).sort()).toEqual([BIG_SID, TRUNCATED_SID, HUGE_PART_SID].sort());
    expect(listed.find((r) => r.sessionId === BIG_SID)).toMatchObject({ path: `s3://${s3.bucket}/big/${BIG_SID}.tar`, bytes: big.bytes });
    expect(s3.objectReads.length).toBe(reads);
  });

  it('plays the first frame of a multi-part recording from its first window, and seeks from the keyframe\'s part', async () => {
    expect(big.bytes).toBeGreaterThan(2 * 1024 * 1024);
    const first = await firstFrames(bigS3, `/api/sessions/${BIG_SID}/stream`, 1);
    const fromDirFrames = await firstFrames(bigDir, `/api/sessions/${BIG_SID}/stream`, 1);
    expect(first.frames).toEqual(fromDirFrames.frames);
    // Nothing indexed, nothing cached: the frame came from the start of the object.
    expect(first.reads.length).toBeGreaterThan(0);
    expect(first.reads.every((r) => r.key === `big/${BIG_SID}.tar` && r.range.startsWith('bytes=0-'))).toBe(true);
    expect(first.bytes).toBeLessThan(1024 * 1024);
    process.stdout.write(`s3 first frame: ${first.bytes} bytes in ${first.reads.length} GETs of a ${big.bytes}-byte recording\n`);

    await bigIndex.indexRecording(BIG_SID, bigSource.nameOf(BIG_SID));
    const t = Math.floor(big.durationMs / 1000 * 0.8);
    const seek = await firstFrames(bigS3, `/api/sessions/${BIG_SID}/stream?t=${t}`, 2);
    expect(seek.frames).toEqual((await firstFrames(bigDir, `/api/sessions/${BIG_SID}/stream?t=${t}`, 2)).frames);
    expect(JSON.parse(seek.frames[0]!)).toHaveProperty('k');
    const keyframe = (await bigIndex.seekPoint(BIG_SID, bigSource.nameOf(BIG_SID), t * 1000)).keyframe;
    expect(keyframe.partOffset).toBeGreaterThan(big.bytes / 2);
    // The object's bytes before the keyframe's part are not read, and a bounded amount after it.
    const starts = seek.reads.filter((r) => r.key === `big/${BIG_SID}.tar`).map((r) => Number(/^bytes=(\d+)-/.exec(r.range)?.[1] ?? -1));
    expect(starts.length).toBeGreaterThan(0);
    expect(Math.min(...starts)).toBeGreaterThanOrEqual(keyframe.partOffset);
    expect(seek.bytes).toBeLessThan(1024 * 1024);
    process.stdout.write(`s3 seek to ${t} s: ${seek.bytes} bytes in ${seek.reads.length} GETs\n`);
    for (const path of [`/api/sessions/${BIG_SID}/keyframe?t=${t}`, `/api/sessions/${BIG_SID}/progress`]) {
      expect((await get(bigS3, path)).text, path).toBe((await get(bigDir, path)).text);
    }
  });

  it('builds an index in the worker thread from the bucket (the thread mounts the same prefix)', async () => {
    const url = `s3://${s3.bucket}/records?endpoint=${encodeURIComponent(s3.endpoint)}&region=${s3.region}`;
    const expected = await new RecordingIndex({ dir: join(data.root, 'index-thread-here') }).indexRecording(BUILD_SID, join(data.recordsDir, `${BUILD_SID}.tar`));
    const reads = s3.objectReads.length;
    const thread = new IndexThread({ dir: join(data.root, 'index-thread-s3'), s3Recordings: [url] });
    try {
      const built = await thread.indexRecording(BUILD_SID, source.nameOf(BUILD_SID));
      expect(built.header.durationMs).toBe(expected.header.durationMs);
      expect(s3.objectReads.slice(reads).some((r) => r.key === `records/${BUILD_SID}.tar`)).toBe(true);
    } finally {
      await thread.close();
    }
    // Without the mount the worker would look for the name on disk: the mount is what made it work.
    const unmounted = new IndexThread({ dir: join(data.root, 'index-thread-unmounted') });
    try {
      await expect(unmounted.indexRecording(BUILD_SID, source.nameOf(BUILD_SID))).rejects.toThrow();
    } finally {
      await unmounted.close();
    }
  });

  it('fails on a truncated object or a part larger than the object, naming the object and the byte', async () => {
    for (const stepwise of [true, false]) {
      const name = bigSource.nameOf(TRUNCATED_SID);
      const err = await drain(name, stepwise);
      expect(err, `stepwise ${stepwise}`).toBeInstanceOf(AuditcastError);
      expect((err as AuditcastError).code).toBe('CORRUPTED');
      expect((err as AuditcastError).message).toContain(name);
      expect((err as AuditcastError).message).toMatch(/byte \d+/);
      const huge = await drain(bigSource.nameOf(HUGE_PART_SID), stepwise);
      expect((huge as AuditcastError).code).toBe('LIMIT_EXCEEDED');
      expect((huge as AuditcastError).message).toContain(bigSource.nameOf(HUGE_PART_SID));
    }
    // Through the API: the stream breaks off instead of playing past the cut.
    const res = await fetch(`${bigS3.url}/api/sessions/${TRUNCATED_SID}/outline`, { headers: { authorization: `Bearer ${bigS3.token}` } });
    expect(res.status).toBeGreaterThanOrEqual(400);
  });

  it('never reads a version other than the one it listed', async () => {
    const uploader = new S3Uploader({ bucket: s3.bucket, prefix: 'changing', endpoint: s3.endpoint, forcePathStyle: true, credentials: s3.credentials });
    const changing = new S3RecordingSource({ bucket: s3.bucket, prefix: 'changing', endpoint: s3.endpoint, forcePathStyle: true, credentials: s3.credentials });
    const bytes = readFileSync(join(data.recordsDir, `${BUILD_SID}.tar`));
    await uploader.upload(BUILD_SID, bytes);
    expect((await changing.list()).map((o) => o.bytes)).toEqual([bytes.length]);
    // Replaced by a shorter object after the listing: the reader is told, not given the new bytes as the old.
    const { PutObjectCommand } = await import('@aws-sdk/client-s3');
    await (await uploader.getClient()).send(new PutObjectCommand({ Bucket: s3.bucket, Key: uploader.key(BUILD_SID), Body: bytes.subarray(0, bytes.length - 100) }));
    const err = await drain(changing.nameOf(BUILD_SID), true);
    expect(err).toBeInstanceOf(AuditcastError);
    expect((err as AuditcastError).message).toContain(changing.nameOf(BUILD_SID));
  });
});

/** The error reading the whole recording ends with (null if none). */
async function drain(name: string, stepwise: boolean): Promise<unknown> {
  try {
    for await (const _ of readRecordingFrom(name, { stepwise })) { /* read on */ }
    return null;
  } catch (err) {
    return err;
  }
}

/**
 * The first `n` frames of a stream, and the object GETs the S3 server answered until they came
 * (the stream is then cancelled; reads it started meanwhile are counted when they end).
 */
async function firstFrames(server: ConsoleServer, path: string, n: number): Promise<{ frames: string[]; reads: S3TestServer['objectReads']; bytes: number }> {
  const from = s3.objectReads.length;
  const res = await fetch(server.url + path, { headers: { authorization: `Bearer ${server.token}` } });
  expect(res.status, path).toBe(200);
  const reader = res.body!.getReader();
  let text = '';
  while (text.split('\n').length <= n) {
    const { done, value } = await reader.read();
    if (done) break;
    text += Buffer.from(value).toString('utf8');
  }
  await reader.cancel();
  const reads = s3.objectReads.slice(from);
  return { frames: text.split('\n').slice(0, n), reads, bytes: reads.reduce((sum, r) => sum + r.bytes, 0) };
}
