// Session ids and upload ids become file names and object keys, so every uploader checks them here
// before they touch a path or a key. Teleport's ids are UUIDs (google/uuid); we accept any UUID in
// its canonical 8-4-4-4-12 hex form, either case, and nothing else: no separators, no dots, no NUL,
// nothing that could climb out of a directory or a key prefix.
import { badParameter } from '../errors.js';

const UUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;

/** Longest value echoed back in an error message. */
const MAX_ECHO = 64;

function describe(value: unknown): string {
  if (typeof value !== 'string') return `a ${value === null ? 'null' : typeof value}`;
  if (value === '') return 'an empty string';
  const shown = value.length > MAX_ECHO ? `${value.slice(0, MAX_ECHO)}… (${value.length} chars)` : value;
  return JSON.stringify(shown);
}

export function isUuid(value: unknown): value is string {
  return typeof value === 'string' && value.length === 36 && UUID.test(value);
}

/** Throws BAD_PARAMETER unless `value` is a canonical UUID string. `what` names it in the message. */
export function checkUuid(value: unknown, what: string): string {
  if (!isUuid(value)) throw badParameter(`${what} must be a UUID (8-4-4-4-12 hex), got ${describe(value)}`);
  return value;
}

export function checkSessionId(sessionId: unknown): string {
  return checkUuid(sessionId, 'session id');
}

export function checkUploadId(uploadId: unknown): string {
  return checkUuid(uploadId, 'upload id');
}

/** Part numbers: safe integers in [min, max] (S3 takes 1..10,000; the file layout any int64 >= 0). */
export function checkPartNumber(partNumber: unknown, min = 0, max = Number.MAX_SAFE_INTEGER): number {
  if (typeof partNumber !== 'number' || !Number.isSafeInteger(partNumber) || partNumber < min || partNumber > max) {
    throw badParameter(`part number must be an integer in [${min}, ${max}], got ${String(partNumber)}`);
  }
  return partNumber;
}
