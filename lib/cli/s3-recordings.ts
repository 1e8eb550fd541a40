// `--recordings s3://bucket/prefix?region=...&endpoint=...` (Teleport's audit_sessions_uri form):
// the bucket's <sid>.tar recordings, copied on demand into <data-dir>/cache/s3 (see
// lib/uploads/s3-recording-mirror.ts). Credentials come from the AWS SDK's usual chain (AWS_*
// environment variables, profiles, instance roles).
import * as path from 'node:path';
import { badParameter } from '../errors.js';
import { S3RecordingMirror } from '../uploads/s3-recording-mirror.js';
import type { DataDir } from './data-dir.js';

export function isS3Url(value: string): boolean {
  return /^s3:\/\//i.test(value);
}

export function openS3Recordings(data: DataDir, url: string): S3RecordingMirror {
  if (!isS3Url(url)) throw badParameter(`not an s3:// URL: ${JSON.stringify(url)}`);
  return new S3RecordingMirror(url, path.join(data.root, 'cache', 's3'));
}
