// auditcast index --recordings s3://bucket/prefix?endpoint=... on the S3 test server: Teleport
// recordings stored in S3 are indexed where they are (ranged GETs: nothing copied to disk, nothing
// written to the bucket), found by grep, and fresh on the next run.
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { S3Uploader } from '../../lib/uploads/s3-uploader.js';
import { sessionRecording } from '../helpers/screen-sessions.js';
import { startS3TestServer, type S3TestServer } from '../uploads/s3-test-server.js';
import { run, tempDir } from './cli-helpers.js';

const VIM_SID = '516965e5-e6ef-11e9-9d5b-42010a80002b';
const NPM_SID = '037e2e3e-e6f5-11e9-a7ac-42010a80002b';

let s3: S3TestServer;
let tmp: ReturnType<typeof tempDir>;
let env: Record<string, string>;
let url: string;
let uploader: S3Uploader;

beforeAll(async () => {
  s3 = await startS3TestServer();
  tmp = tempDir('auditcast-index-s3-');
  env = { AUDITCAST_DATA_DIR: join(tmp.dir, 'data'), AWS_ACCESS_KEY_ID: s3.credentials.accessKeyId, AWS_SECRET_ACCESS_KEY: s3.credentials.secretAccessKey };
  uploader = new S3Uploader({ bucket: s3.bucket, prefix: 'teleport/records', endpoint: s3.endpoint, forcePathStyle: true, credentials: s3.credentials });
  await uploader.upload(VIM_SID, await sessionRecording('vim'));
  await uploader.upload(NPM_SID, await sessionRecording('npm'));
  url = `s3://${s3.bucket}/teleport/records?region=${s3.region}&endpoint=${encodeURIComponent(s3.endpoint)}`;
}, 60_000);

afterAll(async () => {
  await s3?.close();
  tmp?.cleanup();
});

describe('auditcast index --recordings s3://', () => {
  it('indexes the bucket\'s Teleport recordings; grep finds them; a second run finds them fresh', async () => {
    const first = await run(['index', '--recordings', url], { env });
    expect(first.stderr.toString()).toBe('');
    expect(first.code).toBe(0);
    const out = first.stdout.toString();
    expect(out).toMatch(new RegExp(`^${VIM_SID}  indexed  01:05  \\d+ keyframes  \\d+ lines$`, 'm'));
    expect(out).toMatch(new RegExp(`^${NPM_SID}  indexed  \\d\\d:\\d\\d  \\d+ keyframes  \\d+ lines$`, 'm'));
    const grep = await run(['grep', 'System restart required'], { env });
    expect(grep.code).toBe(0);
    expect(grep.stdout.toString()).toMatch(new RegExp(`^${VIM_SID}  \\d\\d:\\d\\d  rjones  .*System restart required`, 'm'));
    const again = await run(['index', '--recordings', url], { env });
    expect(again.stdout.toString().match(/ fresh /g)).toHaveLength(2);
    expect(existsSync(join(tmp.dir, 'data', 'cache'))).toBe(false);
    expect(readdirSync(join(tmp.dir, 'data')).sort()).toEqual(['index']);
    // Nothing was written to the bucket: it holds the two recordings it held.
    const { ListObjectsV2Command } = await import('@aws-sdk/client-s3');
    const listing = await (await uploader.getClient()).send(new ListObjectsV2Command({ Bucket: s3.bucket }));
    expect((listing.Contents ?? []).map((o) => o.Key).sort()).toEqual([`teleport/records/${NPM_SID}.tar`, `teleport/records/${VIM_SID}.tar`]);
  }, 120_000);

  it('a bucket that does not exist is an error that names it', async () => {
    const r = await run(['index', '--recordings', `s3://no-such-bucket-here/x?endpoint=${encodeURIComponent(s3.endpoint)}`], { env });
    expect(r.code).not.toBe(0);
    expect(r.stderr.toString()).toMatch(/no-such-bucket-here/);
  });
});
