// Teleport's JSON form -> typed message, with encoding/json's rules (utils.FastUnmarshal into the
// Go struct): keys matched exactly, else case-insensitively; unknown keys ignored; null leaves the
// zero value; a value of the wrong JSON type is an error (BAD_PARAMETER) naming the field.
import { badParameter } from '../errors.js';
import { checkNestingDepth, MAX_JSON_DEPTH } from './nesting-limit.js';
import { jsonLayout, type JsonSlot } from './json-layout.js';
import { getMessage, zeroMessage, type CompiledField, type MessageValue } from './message-codec.js';
import { Timestamp } from './timestamp.js';
import { setOwn } from './own-property.js';

const INT_RANGES: Record<string, [number, number]> = {
  int32: [-2147483648, 2147483647],
  enum: [-2147483648, 2147483647],
  uint32: [0, 4294967295],
  uint32value: [0, 4294967295],
  int64: [-9223372036854775808, 9223372036854775807],
  uint64: [0, 18446744073709551615],
  uint64value: [0, 18446744073709551615],
};

function goType(field: CompiledField): string {
  const base = (() => {
    switch (field.kind) {
      case 'bytes': case 'raw': return '[]uint8';
      case 'timestamp': return 'time.Time';
      case 'map': return 'map[string]string';
      case 'traits': return 'wrappers.Traits';
      case 'struct': return 'events.Struct';
      case 'uint32value': return 'uint32';
      case 'uint64value': return 'uint64';
      case 'message': case 'enum': return `events.${field.ref}`;
      case 'double': return 'float64';
      default: return field.kind;
    }
  })();
  return field.repeated ? `[]${base}` : base;
}

function jsonKind(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'object') return 'object';
  return typeof v;
}

function typeError(owner: string, key: string, field: CompiledField, v: unknown, detail?: string): never {
  const what = detail ?? `cannot unmarshal ${jsonKind(v)} into Go struct field ${owner}.${key} of type ${goType(field)}`;
  throw badParameter(`json: ${what}`);
}

const BASE64_RE = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

function cloneJson(v: unknown, depth = 1): unknown {
  if (v === null || typeof v !== 'object') return v;
  checkNestingDepth(depth, 'json', MAX_JSON_DEPTH);
  if (Array.isArray(v)) return v.map((x) => cloneJson(x, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v)) setOwn(out, k, cloneJson(x, depth + 1));
  return out;
}

function decodeScalar(owner: string, key: string, field: CompiledField, v: unknown): unknown {
  switch (field.kind) {
    case 'string':
      if (typeof v !== 'string') typeError(owner, key, field, v);
      return v;
    case 'bool':
      if (typeof v !== 'boolean') typeError(owner, key, field, v);
      return v;
    case 'bytes': case 'raw': {
      if (v instanceof Uint8Array) return v;
      if (typeof v !== 'string') typeError(owner, key, field, v);
      const clean = v.replace(/[\r\n]/g, '');
      if (!BASE64_RE.test(clean)) typeError(owner, key, field, v, `illegal base64 data in field ${owner}.${key}`);
      return new Uint8Array(Buffer.from(clean, 'base64'));
    }
    case 'int32': case 'int64': case 'uint32': case 'uint64': case 'enum': case 'uint32value': case 'uint64value': {
      if (typeof v !== 'number') typeError(owner, key, field, v);
      const [lo, hi] = INT_RANGES[field.kind]!;
      if (!Number.isInteger(v) || v < lo || v > hi) {
        typeError(owner, key, field, v, `cannot unmarshal number ${v} into Go struct field ${owner}.${key} of type ${goType(field)}`);
      }
      return v;
    }
    case 'double':
      if (typeof v !== 'number') typeError(owner, key, field, v);
      return v;
    case 'timestamp': {
      if (v instanceof Timestamp) return v;
      if (v instanceof Date) return Timestamp.fromDate(v);
      if (typeof v !== 'string') {
        typeError(owner, key, field, v, `parsing time ${JSON.stringify(JSON.stringify(v) ?? '')} in field ${owner}.${key}: not a JSON string`);
      }
      try {
        return Timestamp.parse(v);
      } catch (err) {
        throw badParameter(`json: parsing time ${JSON.stringify(v)} in field ${owner}.${key}: not RFC 3339`, err);
      }
    }
    case 'message': {
      if (typeof v !== 'object' || Array.isArray(v) || v === null) typeError(owner, key, field, v);
      const sub = getMessage(field.ref!);
      return decodeJsonInto(field.ref!, v as Record<string, unknown>, zeroMessage(sub));
    }
    default:
      return typeError(owner, key, field, v);
  }
}

function decodeSlot(slot: JsonSlot, v: unknown): unknown {
  const { field, owner, key } = slot;
  if (field.repeated) {
    if (!Array.isArray(v)) typeError(owner, key, field, v);
    return v.map((item) => {
      if (item === null) {
        return field.kind === 'message' ? zeroMessage(getMessage(field.ref!)) : field.kind === 'string' ? '' : 0;
      }
      return decodeScalar(owner, key, field, item);
    });
  }
  switch (field.kind) {
    case 'map': {
      if (typeof v !== 'object' || Array.isArray(v) || v === null) typeError(owner, key, field, v);
      const out: Record<string, string> = {};
      for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
        if (x === null) { setOwn(out, k, ''); continue; }
        if (typeof x !== 'string') typeError(owner, key, field, x);
        setOwn(out, k, x);
      }
      return out;
    }
    case 'traits': {
      if (typeof v !== 'object' || Array.isArray(v) || v === null) typeError(owner, key, field, v);
      const out: Record<string, string[]> = {};
      for (const [k, list] of Object.entries(v as Record<string, unknown>)) {
        if (list === null) { setOwn(out, k, []); continue; }
        if (!Array.isArray(list) || list.some((s) => typeof s !== 'string' && s !== null)) typeError(owner, key, field, list);
        setOwn(out, k, list.map((s) => (s === null ? '' : s as string)));
      }
      return out;
    }
    case 'struct':
      if (typeof v !== 'object' || Array.isArray(v) || v === null) typeError(owner, key, field, v);
      return cloneJson(v);
    case 'uint32value': case 'uint64value':
      return decodeScalar(owner, key, field, v);
    default:
      return decodeScalar(owner, key, field, v);
  }
}

function setPath(target: MessageValue, path: readonly string[], value: unknown): void {
  let obj = target;
  for (let i = 0; i < path.length - 1; i++) {
    let next = obj[path[i]!] as MessageValue | undefined;
    if (next === undefined || next === null) {
      next = {};
      obj[path[i]!] = next;
    }
    obj = next;
  }
  obj[path[path.length - 1]!] = value;
}

/** Decodes the keys of `fields` that `message` knows into `target` (a zero message). */
export function decodeJsonInto(message: string, fields: Record<string, unknown>, target: MessageValue): MessageValue {
  const layout = jsonLayout(message);
  for (const key of Object.keys(fields)) {
    const slot = layout.byKey.get(key) ?? layout.byFoldedKey.get(key.toLowerCase());
    if (!slot) continue;
    const v = fields[key];
    if (v === null || v === undefined) continue;
    setPath(target, slot.path, decodeSlot(slot, v));
  }
  return target;
}
