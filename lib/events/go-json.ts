// JSON text the way Teleport's Go code writes it. Two encoders matter:
//  - utils.FastMarshal (json-iterator, {EscapeHTML: false, MarshalFloatWith6Digits: true,
//    SortMapKeys: true}): audit log lines, ToEventFields, `tsh play --format=json`;
//  - encoding/json: google.protobuf.Struct fields (their MarshalJSON calls json.Marshal) and the
//    `data` of Unknown events. It escapes <, >, & and U+2028/U+2029 and prints floats in full.
// Both sort map keys and trim nothing else; they differ from JSON.stringify on \b, \f, -0 and the
// float digits, hence this file.
import { badParameter } from '../errors.js';
import { checkNestingDepth, MAX_JSON_DEPTH } from './nesting-limit.js';
import { Timestamp } from './timestamp.js';

export interface GoJsonOptions {
  /** encoding/json escapes <, >, & (and U+2028/U+2029); json-iterator as Teleport configures it does not. */
  escapeHTML: boolean;
  /** json-iterator's MarshalFloatWith6Digits (lossy) instead of encoding/json's shortest form. */
  lossyFloats: boolean;
}

/** utils.FastMarshal */
export const FAST_MARSHAL: GoJsonOptions = Object.freeze({ escapeHTML: false, lossyFloats: true });
/** encoding/json.Marshal */
export const STD_MARSHAL: GoJsonOptions = Object.freeze({ escapeHTML: true, lossyFloats: false });

const SURROGATE_RE = /[\ud800-\udfff]/;
const HEX = '0123456789abcdef';
const PLAIN_RE = /["\\\u0000-\u001f]/;
const PLAIN_HTML_RE = /["\\\u0000-\u001f<>&\u2028\u2029]/;
const ESCAPE_RE = /["\\\u0000-\u001f]/g;
const ESCAPE_HTML_RE = /["\\\u0000-\u001f<>&\u2028\u2029]/g;

function escapeChar(c: string): string {
  switch (c) {
    case '"': return '\\"';
    case '\\': return '\\\\';
    case '\n': return '\\n';
    case '\r': return '\\r';
    case '\t': return '\\t';
    default: {
      const code = c.charCodeAt(0);
      if (code > 0xff) return `\\u${code.toString(16)}`; // U+2028 / U+2029
      return `\\u00${HEX[code >> 4]}${HEX[code & 15]}`;
    }
  }
}

/** A JSON string literal as Go writes it. */
export function goString(s: string, escapeHTML = false): string {
  if (!(escapeHTML ? PLAIN_HTML_RE : PLAIN_RE).test(s)) return `"${s}"`;
  return `"${s.replace(escapeHTML ? ESCAPE_HTML_RE : ESCAPE_RE, escapeChar)}"`;
}

/** encoding/json's float64: shortest round-trip digits, exponent below 1e-6 and from 1e21. */
export function goFloat(n: number): string {
  if (!Number.isFinite(n)) throw badParameter(`json: unsupported value: ${n}`);
  if (Object.is(n, -0)) return '-0';
  // JS Number#toString uses the same thresholds and shortest digits; Go writes e-7 as e-07 then
  // cleans it back to e-7, and writes e+21 like JS.
  return String(n);
}

/** json-iterator's WriteFloat64Lossy: 6 decimal digits, trailing zeros cut. */
export function goFloatLossy(n: number): string {
  if (!Number.isFinite(n)) throw badParameter(`json: unsupported value: ${n}`);
  let sign = '';
  let val = n;
  if (val < 0) {
    sign = '-';
    val = -val;
  }
  if (val > 0x4ffffff) return sign + goFloat(val);
  const lval = Math.floor(val * 1e6 + 0.5);
  const whole = Math.floor(lval / 1e6);
  const frac = lval % 1e6;
  if (frac === 0) return `${sign}${whole}`;
  return `${sign}${whole}.${String(frac).padStart(6, '0').replace(/0+$/, '')}`;
}

export function goNumber(n: number, options: GoJsonOptions): string {
  return options.lossyFloats ? goFloatLossy(n) : goFloat(n);
}

/**
 * Marshals a dynamic value (map[string]interface{} and friends): object keys sorted, Timestamp and
 * Date as RFC3339Nano, Uint8Array as base64, undefined as null (Go has no undefined).
 */
export function marshalGoValue(value: unknown, options: GoJsonOptions, depth = 0): string {
  if (value === null || value === undefined) return 'null';
  switch (typeof value) {
    case 'string': return goString(value, options.escapeHTML);
    case 'number': return goNumber(value, options);
    case 'bigint': return value.toString();
    case 'boolean': return value ? 'true' : 'false';
    case 'object': break;
    default: throw badParameter(`json: unsupported type ${typeof value}`);
  }
  if (value instanceof Timestamp) return goString(value.toISOString());
  if (value instanceof Date) return goString(Timestamp.fromDate(value).toISOString());
  if (value instanceof Uint8Array) return `"${Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('base64')}"`;
  checkNestingDepth(depth + 1, 'json', MAX_JSON_DEPTH);
  if (Array.isArray(value)) return `[${value.map((v) => marshalGoValue(v, options, depth + 1)).join(',')}]`;
  const record = value as Record<string, unknown>;
  const keys = Object.keys(record).sort(compareGoStrings);
  const parts: string[] = [];
  for (const key of keys) parts.push(`${goString(key, options.escapeHTML)}:${marshalGoValue(record[key], options, depth + 1)}`);
  return `{${parts.join(',')}}`;
}

/** Go sorts map keys by their UTF-8 bytes; JS compares UTF-16 code units. They differ only above the BMP. */
export function compareGoStrings(a: string, b: string): number {
  if (a === b) return 0;
  // Code-unit order equals byte order unless a surrogate pair is involved.
  if (!SURROGATE_RE.test(a) && !SURROGATE_RE.test(b)) return a < b ? -1 : 1;
  const ba = Buffer.from(a, 'utf8');
  const bb = Buffer.from(b, 'utf8');
  return Buffer.compare(ba, bb);
}
