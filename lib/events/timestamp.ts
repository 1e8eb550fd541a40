// A protobuf Timestamp with nanosecond precision. Go's time.Time keeps nanoseconds and a Date does
// not, so events carry this instead; Date, RFC 3339 strings and milliseconds convert in and out.
import { badParameter } from '../errors.js';
import { civilFromDays, daysFromCivil } from './civil-date.js';

/** Seconds of Go's zero time.Time (0001-01-01T00:00:00Z), which gogo writes for an unset time. */
export const GO_ZERO_SECONDS = -62135596800;

const NANOS_PER_SECOND = 1_000_000_000;

export class Timestamp {
  readonly seconds: number;
  readonly nanos: number;

  constructor(seconds: number, nanos = 0) {
    if (!Number.isSafeInteger(seconds) || !Number.isInteger(nanos) || nanos < 0 || nanos >= NANOS_PER_SECOND) {
      throw badParameter(`invalid timestamp: seconds ${seconds}, nanos ${nanos}`);
    }
    this.seconds = seconds;
    this.nanos = nanos;
  }

  static readonly ZERO = new Timestamp(GO_ZERO_SECONDS, 0);

  static fromMillis(ms: number): Timestamp {
    const seconds = Math.floor(ms / 1000);
    const nanos = Math.round((ms - seconds * 1000) * 1_000_000);
    return nanos >= NANOS_PER_SECOND ? new Timestamp(seconds + 1, nanos - NANOS_PER_SECOND) : new Timestamp(seconds, nanos);
  }

  static fromDate(date: Date): Timestamp {
    const ms = date.getTime();
    if (Number.isNaN(ms)) throw badParameter('invalid Date');
    return Timestamp.fromMillis(ms);
  }

  static now(): Timestamp {
    return Timestamp.fromMillis(Date.now());
  }

  /** Parses RFC 3339 with up to 9 fraction digits and a Z or ±hh:mm offset. */
  static parse(text: string): Timestamp {
    const m = /^(-?\d{4,})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(?:([Zz])|([+-])(\d{2}):(\d{2}))$/.exec(text);
    if (!m) throw badParameter(`invalid RFC 3339 time ${JSON.stringify(text)}`);
    const [, y, mo, d, h, mi, s, frac, , sign, oh, om] = m;
    const month = Number(mo);
    const day = Number(d);
    if (month < 1 || month > 12 || day < 1 || day > 31 || Number(h) > 23 || Number(mi) > 59 || Number(s) > 59) {
      throw badParameter(`invalid RFC 3339 time ${JSON.stringify(text)}`);
    }
    let seconds = daysFromCivil(Number(y), month, day) * 86_400 + Number(h) * 3600 + Number(mi) * 60 + Number(s);
    if (sign) seconds -= (sign === '-' ? -1 : 1) * (Number(oh) * 3600 + Number(om) * 60);
    if (!Number.isSafeInteger(seconds)) throw badParameter(`time ${JSON.stringify(text)} is out of range`);
    const nanos = frac ? Number(frac.padEnd(9, '0')) : 0;
    return new Timestamp(seconds, nanos);
  }

  /** Accepts a Timestamp, a Date, an RFC 3339 string, milliseconds, or {seconds, nanos}. */
  static from(value: TimeInput | undefined | null): Timestamp {
    if (value === undefined || value === null) return Timestamp.ZERO;
    if (value instanceof Timestamp) return value;
    if (value instanceof Date) return Timestamp.fromDate(value);
    if (typeof value === 'string') return Timestamp.parse(value);
    if (typeof value === 'number') return Timestamp.fromMillis(value);
    if (typeof value === 'object' && typeof value.seconds === 'number') return new Timestamp(value.seconds, value.nanos ?? 0);
    throw badParameter(`cannot use ${JSON.stringify(value)} as a time`);
  }

  isZero(): boolean {
    return this.seconds === GO_ZERO_SECONDS && this.nanos === 0;
  }

  /** Milliseconds since the epoch (sub-millisecond digits are dropped). */
  toMillis(): number {
    return this.seconds * 1000 + Math.floor(this.nanos / 1_000_000);
  }

  toDate(): Date {
    return new Date(this.toMillis());
  }

  /** Nanoseconds since the epoch as a bigint (exact). */
  toNanos(): bigint {
    return BigInt(this.seconds) * 1_000_000_000n + BigInt(this.nanos);
  }

  compare(other: Timestamp): number {
    return this.seconds - other.seconds || this.nanos - other.nanos;
  }

  equals(other: Timestamp): boolean {
    return this.seconds === other.seconds && this.nanos === other.nanos;
  }

  /**
   * Go's RFC3339Nano in UTC: trailing zeros of the fraction trimmed, no fraction when zero. Any
   * second a Timestamp holds prints as a date, also far outside a JS Date's range (year 275760).
   */
  toISOString(): string {
    const days = Math.floor(this.seconds / 86_400);
    const inDay = this.seconds - days * 86_400;
    const { year, month, day } = civilFromDays(days);
    const yearText = year < 0 ? `-${String(-year).padStart(4, '0')}` : String(year).padStart(4, '0');
    const pad = (n: number) => String(n).padStart(2, '0');
    let text = `${yearText}-${pad(month)}-${pad(day)}T${pad(Math.floor(inDay / 3600))}:${pad(Math.floor(inDay / 60) % 60)}:${pad(inDay % 60)}`;
    if (this.nanos) text += `.${String(this.nanos).padStart(9, '0').replace(/0+$/, '')}`;
    return `${text}Z`;
  }

  toJSON(): string {
    return this.toISOString();
  }

  toString(): string {
    return this.toISOString();
  }
}

export type TimeInput = Timestamp | Date | string | number | { seconds: number; nanos?: number };
