// Protobuf encode/decode of Teleport's event messages, driven by the generated descriptor table and
// following gogo's marshaler: ascending field numbers, zero scalars omitted, non-nullable embedded
// messages and non-nullable timestamps always written. Decoded messages carry every schema field
// with Go's zero value, so two decodes of equal bytes are deep-equal.
import { badParameter } from '../errors.js';
import { schemaTable } from './schema.generated.js';
import {
  FLAG_EMBED, FLAG_NEWER, FLAG_NON_NULL, FLAG_REPEATED, type FieldKind,
} from './schema-types.js';
import { Timestamp } from './timestamp.js';
import { WIRE_FIXED64, WIRE_LEN, WIRE_VARINT, WireWriter } from '../wire/wire-writer.js';
import { WireReader } from '../wire/wire-reader.js';
import { decodeStruct, encodeStruct, type JsonValue } from './struct-codec.js';
import { setOwn } from './own-property.js';

export interface CompiledField {
  readonly no: number;
  readonly name: string;
  readonly kind: FieldKind;
  readonly ref: string | null;
  readonly repeated: boolean;
  readonly embed: boolean;
  readonly nonNull: boolean;
  readonly newer: boolean;
  /** JSON key ('' for embedded messages, '-' for never) and whether zero values are left out. */
  readonly jsonName: string;
  readonly omitEmpty: boolean;
  readonly wireType: number;
}

export interface CompiledMessage {
  readonly name: string;
  readonly fields: readonly CompiledField[];
  readonly byNumber: readonly (CompiledField | undefined)[];
  readonly byName: ReadonlyMap<string, CompiledField>;
}

export type MessageValue = Record<string, unknown>;

export const EMPTY_BYTES = new Uint8Array(0);
const EMPTY: MessageValue = Object.freeze({}) as MessageValue;

const messages = new Map<string, CompiledMessage>();
const enumValues = new Map<string, Map<string, number>>();

for (const [name, values] of Object.entries(schemaTable.enums)) {
  enumValues.set(name, new Map(values.map(([label, value]) => [label, value])));
}

for (const [name, rows] of Object.entries(schemaTable.messages)) {
  const fields: CompiledField[] = rows.map(([no, fname, kind, ref, flags, json]) => {
    const [jsonName, ...opts] = json.split(',');
    const repeated = (flags & FLAG_REPEATED) !== 0;
    const packedScalar = repeated && !['string', 'bytes', 'message', 'raw'].includes(kind);
    const wireType = packedScalar ? WIRE_LEN
      : ['bool', 'int32', 'int64', 'uint32', 'uint64', 'enum'].includes(kind) ? WIRE_VARINT
        : kind === 'double' ? WIRE_FIXED64 : WIRE_LEN;
    return {
      no, name: fname, kind, ref, repeated,
      embed: (flags & FLAG_EMBED) !== 0,
      nonNull: (flags & FLAG_NON_NULL) !== 0,
      newer: (flags & FLAG_NEWER) !== 0,
      jsonName, omitEmpty: opts.includes('omitempty'),
      wireType,
    };
  });
  const byNumber: (CompiledField | undefined)[] = [];
  for (const f of fields) byNumber[f.no] = f;
  messages.set(name, { name, fields, byNumber, byName: new Map(fields.map((f) => [f.name, f])) });
}

export function getMessage(name: string): CompiledMessage {
  const message = messages.get(name);
  if (!message) throw badParameter(`unknown message type ${name}`);
  return message;
}

export function hasMessage(name: string): boolean {
  return messages.has(name);
}

export function messageNames(): string[] {
  return [...messages.keys()];
}

// ---------------------------------------------------------------------------------------------
// encoding

function enumNumber(field: CompiledField, value: unknown): number {
  if (typeof value === 'number') return value;
  if (typeof value === 'string') {
    const n = enumValues.get(field.ref!)?.get(value);
    if (n !== undefined) return n;
  }
  throw badParameter(`field ${field.name}: ${JSON.stringify(value)} is not a value of enum ${field.ref}`);
}

function writeScalar(w: WireWriter, field: CompiledField, value: unknown): void {
  switch (field.kind) {
    case 'string': w.string(value as string); return;
    case 'bytes': case 'raw': w.bytes(value as Uint8Array); return;
    case 'bool': w.varint(value ? 1 : 0); return;
    case 'int32': case 'int64': w.int64(value as number); return;
    case 'uint32': case 'uint64': w.varint(value as number); return;
    case 'enum': w.int64(enumNumber(field, value)); return;
    case 'double': w.double(value as number); return;
    default: throw badParameter(`field ${field.name}: cannot write ${field.kind} as a scalar`);
  }
}

function isZeroScalar(field: CompiledField, value: unknown): boolean {
  if (value === undefined || value === null) return true;
  switch (field.kind) {
    case 'string': return value === '';
    case 'bytes': case 'raw': return (value as Uint8Array).length === 0;
    case 'bool': return value === false;
    case 'enum': return value === 0 || value === '' ;
    default: return value === 0;
  }
}

export function encodeTimestamp(w: WireWriter, value: unknown): void {
  const ts = Timestamp.from(value as never);
  if (ts.seconds !== 0) {
    w.tag(1, WIRE_VARINT);
    w.int64(ts.seconds);
  }
  if (ts.nanos !== 0) {
    w.tag(2, WIRE_VARINT);
    w.varint(ts.nanos);
  }
}

function encodeStringMap(w: WireWriter, field: CompiledField, value: Record<string, string>): void {
  for (const key of Object.keys(value).sort()) {
    w.tag(field.no, WIRE_LEN);
    const start = w.beginLen();
    w.tag(1, WIRE_LEN);
    w.string(key);
    w.tag(2, WIRE_LEN);
    w.string(String(value[key] ?? ''));
    w.endLen(start);
  }
}

/** wrappers.LabelValues: { Values: map<string, StringValues{ repeated string Values = 1 }> } */
function encodeTraits(w: WireWriter, value: Record<string, readonly string[]> | undefined): void {
  if (!value) return;
  for (const key of Object.keys(value).sort()) {
    w.tag(1, WIRE_LEN);
    const entry = w.beginLen();
    w.tag(1, WIRE_LEN);
    w.string(key);
    w.tag(2, WIRE_LEN);
    const list = w.beginLen();
    for (const item of value[key] ?? []) {
      w.tag(1, WIRE_LEN);
      w.string(item);
    }
    w.endLen(list);
    w.endLen(entry);
  }
}

function encodeLenField(w: WireWriter, field: CompiledField, value: unknown): void {
  switch (field.kind) {
    case 'message': encodeMessage(w, getMessage(field.ref!), (value ?? EMPTY) as MessageValue); return;
    case 'timestamp': encodeTimestamp(w, value); return;
    case 'struct': encodeStruct(w, value as JsonValue); return;
    case 'traits': encodeTraits(w, value as Record<string, string[]>); return;
    case 'uint32value': case 'uint64value':
      if (value) {
        w.tag(1, WIRE_VARINT);
        w.varint(value as number);
      }
      return;
    default: throw badParameter(`field ${field.name}: unexpected kind ${field.kind}`);
  }
}

/**
 * Throws BAD_PARAMETER naming the first key of `value` (or of a nested message) that `message` does
 * not have, so a misspelt or misplaced field is an error instead of silently dropped. Keys starting
 * with `$` ($type, $unknown) are ours.
 */
export function checkFieldNames(message: CompiledMessage, value: MessageValue, path = message.name): void {
  for (const key in value) {
    const field = message.byName.get(key);
    if (field === undefined) {
      if (key.charCodeAt(0) === 36 /* $ */) continue;
      throw badParameter(`${path}: ${message.name} has no field ${JSON.stringify(key)}`);
    }
    if (field.kind !== 'message') continue;
    const v = value[key];
    if (v === null || typeof v !== 'object') continue;
    const ref = getMessage(field.ref!);
    if (!field.repeated) {
      checkFieldNames(ref, v as MessageValue, `${path}.${key}`);
    } else if (Array.isArray(v)) {
      for (let i = 0; i < v.length; i++) {
        const item = v[i];
        if (item !== null && typeof item === 'object') checkFieldNames(ref, item as MessageValue, `${path}.${key}[${i}]`);
      }
    }
  }
}

export function encodeMessage(w: WireWriter, message: CompiledMessage, value: MessageValue): void {
  for (const field of message.fields) {
    const v = value[field.name];
    if (field.repeated) {
      if (v === undefined || v === null) continue;
      if (!Array.isArray(v)) throw badParameter(`field ${message.name}.${field.name} must be an array`);
      if (v.length === 0) continue;
      if (field.wireType === WIRE_LEN && (field.kind === 'string' || field.kind === 'bytes' || field.kind === 'raw')) {
        for (const item of v) {
          w.tag(field.no, WIRE_LEN);
          writeScalar(w, field, item ?? (field.kind === 'string' ? '' : EMPTY_BYTES));
        }
      } else if (field.kind === 'message') {
        for (const item of v) {
          w.tag(field.no, WIRE_LEN);
          const start = w.beginLen();
          encodeMessage(w, getMessage(field.ref!), (item ?? EMPTY) as MessageValue);
          w.endLen(start);
        }
      } else {
        w.tag(field.no, WIRE_LEN);
        const start = w.beginLen();
        for (const item of v) writeScalar(w, field, item);
        w.endLen(start);
      }
      continue;
    }
    switch (field.kind) {
      case 'map':
        if (v) encodeStringMap(w, field, v as Record<string, string>);
        continue;
      case 'message': case 'timestamp': case 'struct': case 'traits': case 'uint32value': case 'uint64value': {
        const present = v !== undefined && v !== null;
        if (!present && !(field.nonNull && (field.kind === 'message' || field.kind === 'timestamp' || field.kind === 'traits'))) continue;
        const rollback = w.pos;
        w.tag(field.no, WIRE_LEN);
        const start = w.beginLen();
        encodeLenField(w, field, v);
        // Fields added after v14 are written only when they carry something, so events that do not
        // use them stay byte-identical to what Teleport v14 writes.
        if (field.newer && w.pos === start + 1) {
          w.pos = rollback;
          continue;
        }
        w.endLen(start);
        continue;
      }
      case 'raw':
        if (v === undefined || v === null) continue;
        w.tag(field.no, WIRE_LEN);
        w.bytes(v as Uint8Array);
        continue;
      default:
        if (isZeroScalar(field, v)) continue;
        w.tag(field.no, field.wireType);
        writeScalar(w, field, v);
    }
  }
  const unknown = value.$unknown;
  if (unknown instanceof Uint8Array) w.rawBytes(unknown);
}

// ---------------------------------------------------------------------------------------------
// decoding

/** A message value with every field at Go's zero value. */
export function zeroMessage(message: CompiledMessage): MessageValue {
  const out: MessageValue = {};
  for (const field of message.fields) {
    const zero = zeroValue(field);
    if (zero !== undefined) out[field.name] = zero;
  }
  return out;
}

function zeroValue(field: CompiledField): unknown {
  if (field.repeated) return [];
  switch (field.kind) {
    case 'string': return '';
    case 'bytes': return EMPTY_BYTES;
    case 'bool': return false;
    case 'int32': case 'int64': case 'uint32': case 'uint64': case 'enum': case 'double': return 0;
    case 'map': return {};
    case 'traits': return field.nonNull ? {} : undefined;
    case 'message': return field.nonNull ? zeroMessage(getMessage(field.ref!)) : undefined;
    case 'timestamp': return field.nonNull ? Timestamp.ZERO : undefined;
    default: return undefined;
  }
}

function readScalar(r: WireReader, field: CompiledField): unknown {
  switch (field.kind) {
    case 'string': return r.string();
    case 'bytes': case 'raw': return r.bytes();
    case 'bool': return r.bool();
    case 'int32': return r.int32();
    case 'int64': return r.int64();
    case 'uint32': return r.varint() % 4294967296;
    case 'uint64': return r.varint();
    case 'enum': return r.int32();
    case 'double': return r.double();
    default: return r.fail(`cannot read ${field.kind} as a scalar`);
  }
}

export function decodeTimestamp(r: WireReader, end: number): Timestamp {
  let seconds = 0;
  let nanos = 0;
  while (r.pos < end) {
    const tag = r.varint();
    const no = Math.floor(tag / 8);
    if (no === 1 && (tag & 7) === WIRE_VARINT) seconds = r.int64();
    else if (no === 2 && (tag & 7) === WIRE_VARINT) nanos = r.int32();
    else r.skip(tag & 7);
  }
  if (nanos < 0 || nanos >= 1e9 || !Number.isSafeInteger(seconds)) r.fail(`invalid timestamp ${seconds}s ${nanos}ns`);
  return new Timestamp(seconds, nanos);
}

function decodeMapEntry(r: WireReader, end: number): [string, string] {
  let key = '';
  let value = '';
  while (r.pos < end) {
    const tag = r.varint();
    if (tag === 0x0a) key = r.string();
    else if (tag === 0x12) value = r.string();
    else r.skip(tag & 7);
  }
  return [key, value];
}

function readWrapper(r: WireReader, end: number): number {
  let value = 0;
  while (r.pos < end) {
    const tag = r.varint();
    if (tag === 0x08) value = r.varint();
    else r.skip(tag & 7);
  }
  return value;
}

export function decodeMessageInto(r: WireReader, message: CompiledMessage, end: number, out: MessageValue): MessageValue {
  let unknownChunks: Uint8Array[] | undefined;
  while (r.pos < end) {
    const fieldStart = r.pos;
    const tag = r.varint();
    const no = Math.floor(tag / 8);
    const wireType = tag & 7;
    const field = message.byNumber[no];
    if (!field || (wireType !== field.wireType && !(field.repeated && wireType === WIRE_VARINT))) {
      if (no === 0) r.fail('field number 0');
      r.skip(wireType);
      (unknownChunks ??= []).push(r.buf.subarray(fieldStart, r.pos));
      continue;
    }
    if (field.repeated) {
      const list = (out[field.name] as unknown[] | undefined) ?? (out[field.name] = []) as unknown[];
      if (field.kind === 'message') {
        const [s, e] = r.lenRange();
        r.pos = s;
        const sub = getMessage(field.ref!);
        list.push(decodeMessageInto(r, sub, e, zeroMessage(sub)));
        r.pos = e;
      } else if (wireType === WIRE_LEN && field.wireType === WIRE_LEN && field.kind !== 'string' && field.kind !== 'bytes' && field.kind !== 'raw') {
        const [s, e] = r.lenRange();
        r.pos = s;
        while (r.pos < e) list.push(readScalar(r, field));
      } else {
        list.push(readScalar(r, field));
      }
      continue;
    }
    switch (field.kind) {
      case 'message': {
        const [s, e] = r.lenRange();
        r.pos = s;
        const sub = getMessage(field.ref!);
        // Repeated occurrences of a message field merge, as protobuf specifies.
        const target = (out[field.name] as MessageValue | undefined) ?? zeroMessage(sub);
        out[field.name] = decodeMessageInto(r, sub, e, target);
        r.pos = e;
        break;
      }
      case 'timestamp': {
        const [s, e] = r.lenRange();
        r.pos = s;
        out[field.name] = decodeTimestamp(r, e);
        break;
      }
      case 'map': {
        const [s, e] = r.lenRange();
        r.pos = s;
        const [k, v] = decodeMapEntry(r, e);
        setOwn(out[field.name] as Record<string, string>, k, v);
        break;
      }
      case 'struct': {
        const [s, e] = r.lenRange();
        r.pos = s;
        out[field.name] = decodeStruct(r, e);
        break;
      }
      case 'traits': {
        const [s, e] = r.lenRange();
        out[field.name] = decodeLabelValues(r, s, e);
        break;
      }
      case 'uint32value': case 'uint64value': {
        const [s, e] = r.lenRange();
        r.pos = s;
        out[field.name] = readWrapper(r, e);
        break;
      }
      default:
        out[field.name] = readScalar(r, field);
    }
  }
  if (unknownChunks) out.$unknown = Buffer.concat(unknownChunks);
  return out;
}

function decodeLabelValues(r: WireReader, start: number, end: number): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  r.pos = start;
  while (r.pos < end) {
    const tag = r.varint();
    if (tag !== 0x0a) { r.skip(tag & 7); continue; }
    const [entryStart, entryEnd] = r.lenRange();
    r.pos = entryStart;
    let key = '';
    const values: string[] = [];
    while (r.pos < entryEnd) {
      const t = r.varint();
      if (t === 0x0a) {
        key = r.string();
      } else if (t === 0x12) {
        const [listStart, listEnd] = r.lenRange();
        r.pos = listStart;
        while (r.pos < listEnd) {
          const lt = r.varint();
          if (lt === 0x0a) values.push(r.string());
          else r.skip(lt & 7);
        }
      } else {
        r.skip(t & 7);
      }
    }
    setOwn(out, key, values);
  }
  r.pos = end;
  return out;
}

export function decodeMessage(bytes: Uint8Array, messageName: string): MessageValue {
  const message = getMessage(messageName);
  const r = new WireReader(bytes);
  return decodeMessageInto(r, message, r.end, zeroMessage(message));
}

export function encodeMessageBytes(value: MessageValue, messageName: string): Uint8Array {
  const w = new WireWriter(256);
  encodeMessage(w, getMessage(messageName), value);
  return w.finish();
}

