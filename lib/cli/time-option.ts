// --from/--to values: RFC 3339 times, dates (YYYY-MM-DD, UTC midnight), "now", or a duration ago
// ("90s", "30m", "12h", "7d").
import { Timestamp } from '../events/timestamp.js';
import { UsageError } from './errors.js';

const UNIT_MS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 7 * 86_400_000 };

export function parseTimeOption(command: string, name: string, text: string, now = Date.now()): Date {
  const t = text.trim();
  if (t === 'now') return new Date(now);
  const ago = /^(\d+(?:\.\d+)?)([smhdw])$/.exec(t);
  if (ago) return new Date(now - Number(ago[1]) * UNIT_MS[ago[2]!]!);
  if (/^\d{4}-\d{2}-\d{2}$/.test(t)) {
    const d = new Date(`${t}T00:00:00Z`);
    if (!Number.isNaN(d.getTime())) return d;
  }
  try {
    return Timestamp.parse(t.replace(' ', 'T')).toDate();
  } catch {
    throw new UsageError(`--${name}: cannot read ${JSON.stringify(text)} as a time (use 2024-01-15, 2024-01-15T10:00:00Z, now, or a duration ago like 24h, 7d)`, command);
  }
}
