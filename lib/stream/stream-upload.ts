// The seed's StreamUpload.String(): "Upload(session=<sid>, id=<upload id>, initiated=<time>)",
// the time in Go's default time format (UTC).
import type { StreamUpload } from './multipart-uploader.js';

/** A Date as Go's time.Time String() in UTC: 2006-01-02 15:04:05.999999999 +0000 UTC. */
function goTimeString(date: Date): string {
  const iso = date.toISOString(); // 2006-01-02T15:04:05.123Z
  const millis = iso.slice(20, 23).replace(/0+$/, '');
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)}${millis ? `.${millis}` : ''} +0000 UTC`;
}

export function formatStreamUpload(upload: StreamUpload): string {
  return `Upload(session=${upload.sessionId}, id=${upload.id}, initiated=${goTimeString(upload.initiated)})`;
}
