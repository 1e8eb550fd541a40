// The `time` field of a logged event. Search reads it from every line it may return, so the
// common form (UTC, `Z`) is parsed by hand, without a regex or a Date; any other form goes through
// Timestamp.parse.
import { Timestamp } from '../events/timestamp.js';

const digits = (s: string, from: number, to: number): number => {
  let n = 0;
  for (let i = from; i < to; i++) {
    const c = s.charCodeAt(i) - 48;
    if (c < 0 || c > 9) return -1;
    n = n * 10 + c;
  }
  return n;
};

/** `2006-01-02T15:04:05[.fraction]Z`; null for any other form. */
function parseUtcTime(s: string): Timestamp | null {
  const n = s.length;
  if (n < 20 || n > 30 || s.charCodeAt(n - 1) !== 90 /* Z */ || s[4] !== '-' || s[7] !== '-' || s[10] !== 'T' || s[13] !== ':' || s[16] !== ':') return null;
  const y = digits(s, 0, 4);
  const mo = digits(s, 5, 7);
  const d = digits(s, 8, 10);
  const h = digits(s, 11, 13);
  const mi = digits(s, 14, 16);
  const sec = digits(s, 17, 19);
  if (y < 0 || mo < 1 || mo > 12 || d < 1 || d > 31 || h < 0 || h > 23 || mi < 0 || mi > 59 || sec < 0 || sec > 59) return null;
  let nanos = 0;
  if (n > 20) {
    if (s[19] !== '.' || n - 21 > 9 || n - 21 < 1) return null;
    const frac = digits(s, 20, n - 1);
    if (frac < 0) return null;
    nanos = frac * 10 ** (9 - (n - 21));
  }
  // days from 1970-01-01 to y-mo-d in the proleptic Gregorian calendar (Date.UTC would read
  // years below 100 as 19xx)
  const yy = mo <= 2 ? y - 1 : y;
  const era = Math.floor(yy / 400);
  const yoe = yy - era * 400;
  const doy = Math.floor((153 * (mo + (mo > 2 ? -3 : 9)) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  const days = era * 146_097 + doe - 719_468;
  return new Timestamp(days * 86_400 + h * 3600 + mi * 60 + sec, nanos);
}

/** An event's `time` field; Go's zero time when missing or not RFC 3339. */
export function parseEventTime(value: unknown): Timestamp {
  if (typeof value !== 'string') return Timestamp.ZERO;
  const fast = parseUtcTime(value);
  if (fast) return fast;
  try {
    return Timestamp.parse(value);
  } catch {
    return Timestamp.ZERO;
  }
}
