// `--recordings s3://bucket/prefix?region=...&endpoint=...` (Teleport's audit_sessions_uri form):
// the bucket's <sid>.tar recordings, read where they are with ranged GETs (see
// lib/uploads/s3-recording-source.ts). Credentials come from the AWS SDK's usual chain (AWS_*
// environment variables, profiles, instance roles).
import { badParameter } from '../errors.js';
import { S3RecordingSource } from '../uploads/s3-recording-source.js';

export function isS3Url(value: string): boolean {
  return /^s3:\/\//i.test(value);
}

export function openS3Recordings(url: string): S3RecordingSource {
  if (!isS3Url(url)) throw badParameter(`not an s3:// URL: ${JSON.stringify(url)}`);
  return new S3RecordingSource(url);
}
