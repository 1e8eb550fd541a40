// Teleport's stream suite (conformance §1) on the S3Uploader against an in-process S3 server
// (s3sessions TestThirdpartyStreams, which uses gofakes3).
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe } from 'vitest';
import { S3Uploader } from '../../lib/uploads/s3-uploader.js';
import { defineStreamSuite, failFirstComplete } from '../stream/stream-suite.js';
import { startS3TestServer, type S3TestServer } from './s3-test-server.js';

let server: S3TestServer;
beforeAll(async () => { server = await startS3TestServer(); });
afterAll(async () => { await server?.close(); });

function s3(): S3Uploader {
  return new S3Uploader({
    bucket: server.bucket, region: server.region, endpoint: server.endpoint, forcePathStyle: true,
    credentials: server.credentials, prefix: `/test/${randomUUID()}/`,
  });
}

describe('stream suite on S3Uploader', () => {
  defineStreamSuite(s3, () => failFirstComplete(new S3Uploader({
    bucket: server.bucket, region: server.region, endpoint: server.endpoint, forcePathStyle: true,
    credentials: server.credentials, prefix: `/test/${randomUUID()}/`,
  })));
});
