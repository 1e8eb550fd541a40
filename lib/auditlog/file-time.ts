// Daily file names of the audit log: Go layout "2006-01-02.15:04:05" of the UTC day + ".log".
import { badParameter } from '../errors.js';
import { DAY_MS, LogfileExt } from './constants.js';

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

/** Start of the UTC day holding `ms` (Go's Truncate(24h) of a UTC time). */
export function utcDayStart(ms: number): number {
  return Math.floor(ms / DAY_MS) * DAY_MS;
}

/** `2024-01-15.00:00:00.log` for any time of 2024-01-15 UTC. */
export function logFileName(ms: number): string {
  const d = new Date(utcDayStart(ms));
  return `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}.${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}${LogfileExt}`;
}

/**
 * ParseFileTime: the time encoded in a log file name (extension dropped), as a Date in UTC.
 * BAD_PARAMETER when the name does not follow the layout.
 */
export function parseFileTime(filename: string): Date {
  const slash = Math.max(filename.lastIndexOf('/'), filename.lastIndexOf('\\'));
  const base = filename.slice(slash + 1);
  const dot = base.lastIndexOf('.');
  const stem = dot >= 0 ? base.slice(0, dot) : base; // Go: TrimSuffix(name, filepath.Ext(name))
  const m = /^(\d{4})-(\d{2})-(\d{2})\.(\d{2}):(\d{2}):(\d{2})$/.exec(stem);
  if (!m) throw badParameter(`cannot parse ${JSON.stringify(filename)} as a log file time (layout 2006-01-02.15:04:05)`);
  const [y, mo, d, h, mi, s] = m.slice(1).map(Number);
  const ms = Date.UTC(y, mo - 1, d, h, mi, s);
  const back = new Date(ms);
  if (mo < 1 || mo > 12 || back.getUTCDate() !== d || h > 23 || mi > 59 || s > 59) {
    throw badParameter(`cannot parse ${JSON.stringify(filename)} as a log file time: out of range`);
  }
  return back;
}
