// Teleport's stream suite (conformance §1) on the S3Uploader against an in-process S3 server
// (s3sessions TestThirdpartyStreams, which uses gofakes3).
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe } from 'vitest';
import { AuditcastError } from '../../lib/errors.js';
import type { StreamPart, StreamUpload } from '../../lib/uploads/multipart-uploader.js';
import { S3Uploader } from '../../lib/uploads/s3-uploader.js';
import { defineStreamSuite } from '../stream/stream-suite.js';
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

/** The first completeUpload fails before reaching S3 (the suite's OnBeforeComplete failure). */
class FailFirstCompleteS3 extends S3Uploader {
  private failed = false;
  override async completeUpload(upload: StreamUpload, parts: readonly StreamPart[]): Promise<void> {
    if (!this.failed) {
      this.failed = true;
      throw new AuditcastError('CONNECTION_PROBLEM', 'simulate failure 1');
    }
    return super.completeUpload(upload, parts);
  }
}

describe('stream suite on S3Uploader', () => {
  defineStreamSuite(s3, () => new FailFirstCompleteS3({
    bucket: server.bucket, region: server.region, endpoint: server.endpoint, forcePathStyle: true,
    credentials: server.credentials, prefix: `/test/${randomUUID()}/`,
  }));
});
