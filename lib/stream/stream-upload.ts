// The seed's StreamUpload methods: String() is "Upload(session=<sid>, id=<upload id>, initiated=<time>)"
// with the time in Go's default time format (UTC); CheckAndSetDefaults requires both ids.
import { badParameter } from '../errors.js';
import type { StreamUpload } from './multipart-uploader.js';

/** Go's zero time.Time, which an upload without a known initiation carries. */
const GO_ZERO_TIME = '0001-01-01 00:00:00 +0000 UTC';

/** A Date as Go's time.Time String() in UTC: 2006-01-02 15:04:05.999999999 +0000 UTC. */
function goTimeString(date: Date): string {
  if (!(date instanceof Date) || Number.isNaN(date.getTime())) return GO_ZERO_TIME;
  const iso = date.toISOString(); // 2006-01-02T15:04:05.123Z
  const millis = iso.slice(20, 23).replace(/0+$/, '');
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)}${millis ? `.${millis}` : ''} +0000 UTC`;
}

export function formatStreamUpload(upload: StreamUpload): string {
  return `Upload(session=${upload.sessionId}, id=${upload.id}, initiated=${goTimeString(upload.initiated)})`;
}

/** StreamUpload.CheckAndSetDefaults: BAD_PARAMETER when the upload id or the session id is missing. */
export function checkStreamUpload(upload: StreamUpload): void {
  if (upload === null || typeof upload !== 'object') throw badParameter('StreamUpload: must be an object');
  if (typeof upload.id !== 'string' || upload.id === '') throw badParameter('StreamUpload: missing parameter id');
  if (typeof upload.sessionId !== 'string' || upload.sessionId === '') throw badParameter('StreamUpload: missing parameter sessionId');
}
