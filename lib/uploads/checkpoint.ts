// The progress file of the async uploader, <sid>.checkpoint, in Teleport's format (fileasync.go):
// the JSON of a StreamStatus with Go field names. Teleport rewrites it in place without truncating,
// so a shorter status can leave the tail of a longer one behind: the first JSON object wins.
import { badParameter } from '../errors.js';
import type { StreamStatus } from '../stream/status-channel.js';

export const CHECKPOINT_EXT = '.checkpoint';

/** A checkpoint as Teleport writes it: StreamStatus with Go field names; LastEventIndex omitted when 0. */
export function formatCheckpoint(status: { uploadId: string; lastEventIndex: number; lastUploadTime: Date }): string {
  const fields: string[] = [`"UploadID":${JSON.stringify(status.uploadId)}`];
  if (status.lastEventIndex !== 0) fields.push(`"LastEventIndex":${status.lastEventIndex}`);
  fields.push(`"LastUploadTime":${JSON.stringify(rfc3339Nano(status.lastUploadTime))}`);
  return `{${fields.join(',')}}`;
}

/** Parses a checkpoint; the first JSON object wins (Teleport rewrites in place without truncating). */
export function parseCheckpoint(text: string): StreamStatus | null {
  const trimmed = text.replace(/\0+$/, '').trim();
  if (trimmed === '') return null;
  let value: unknown;
  try {
    value = JSON.parse(trimmed);
  } catch {
    const end = trimmed.indexOf('}');
    if (end < 0) throw badParameter('checkpoint is not JSON');
    try {
      value = JSON.parse(trimmed.slice(0, end + 1));
    } catch (err) {
      throw badParameter('checkpoint is not JSON', err);
    }
  }
  const v = value as { UploadID?: unknown; LastEventIndex?: unknown; LastUploadTime?: unknown };
  if (typeof v.UploadID !== 'string' || v.UploadID === '') throw badParameter('checkpoint has no UploadID');
  const lastEventIndex = v.LastEventIndex === undefined ? 0 : Number(v.LastEventIndex);
  if (!Number.isSafeInteger(lastEventIndex)) throw badParameter('checkpoint LastEventIndex is not an integer');
  const time = typeof v.LastUploadTime === 'string' ? new Date(v.LastUploadTime) : new Date(0);
  return { uploadId: v.UploadID, lastEventIndex, lastUploadTime: Number.isNaN(time.getTime()) ? new Date(0) : time };
}

/** Go's time.RFC3339Nano for a Date: fractional seconds without trailing zeros. */
function rfc3339Nano(date: Date): string {
  const iso = date.toISOString(); // 2024-01-15T12:00:00.120Z
  return iso.replace(/\.(\d*?)0*Z$/, (_, digits: string) => (digits ? `.${digits}Z` : 'Z'));
}
