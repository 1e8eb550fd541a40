// The console on recordings in S3 (the S3 test server): it lists and plays them exactly as it does
// the same files in a directory (sessions, the stream from a moment, keyframes, previews, grep),
// reading local copies that are streamed into its cache dir and fetched again only on change.
import { readFileSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FileLog } from '../../lib/auditlog/file-log.js';
import { backend } from '../../lib/codec/index.js';
import { IndexScreenSource } from '../../lib/console/index-screen-source.js';
import { DirRecordingStore, S3RecordingStore } from '../../lib/console/recordings.js';
import { type ConsoleServer, startConsoleServer } from '../../lib/console/server.js';
import { RecordingIndex } from '../../lib/index-store/recording-index.js';
import { S3RecordingMirror } from '../../lib/uploads/s3-recording-mirror.js';
import { S3Uploader } from '../../lib/uploads/s3-uploader.js';
import { startS3TestServer, type S3TestServer } from '../uploads/s3-test-server.js';
import { BUILD_SID, type ConsoleData, makeConsoleData, TYPING_SID } from './console-fixture.js';

let s3: S3TestServer;
let data: ConsoleData;
let mirror: S3RecordingMirror;
const servers: ConsoleServer[] = [];
const indexes: RecordingIndex[] = [];
let fromDir: ConsoleServer;
let fromS3: ConsoleServer;

async function serve(recordings: DirRecordingStore | S3RecordingStore, indexDir: string): Promise<ConsoleServer> {
  const index = new RecordingIndex({ dir: indexDir });
  indexes.push(index);
  const screen = new IndexScreenSource(index);
  await screen.warm(await recordings.list());
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
  mirror = new S3RecordingMirror(`s3://${s3.bucket}/records?endpoint=${encodeURIComponent(s3.endpoint)}&region=${s3.region}`, join(data.root, 'cache', 's3'));
  fromDir = await serve(new DirRecordingStore(data.recordsDir), join(data.root, 'index-dir'));
  fromS3 = await serve(new S3RecordingStore(mirror), join(data.root, 'index-s3'));
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

  it('keeps byte-identical copies in its cache dir, fetched again only when the object changes', async () => {
    const [object] = (await mirror.list()).filter((o) => o.sessionId === TYPING_SID);
    const copy = await mirror.local(object!);
    expect(copy.path.startsWith(join(data.root, 'cache', 's3'))).toBe(true);
    expect(readFileSync(copy.path).equals(readFileSync(join(data.recordsDir, `${TYPING_SID}.tar`)))).toBe(true);
    const before = statSync(copy.path);
    // Tamper with the copy's bytes but not its size or time: a fresh copy is not fetched again.
    writeFileSync(copy.path, Buffer.alloc(before.size, 0x41));
    utimesSync(copy.path, before.atime, before.mtime);
    expect(readFileSync((await mirror.local(object!)).path).every((b) => b === 0x41)).toBe(true);
    // An object whose time changed is fetched again, whole.
    const changed = await mirror.local({ ...object!, lastModifiedMs: object!.lastModifiedMs + 5000 });
    expect(readFileSync(changed.path).equals(readFileSync(join(data.recordsDir, `${TYPING_SID}.tar`)))).toBe(true);
    expect(statSync(changed.path).mtimeMs).toBe(object!.lastModifiedMs + 5000);
  });
});
