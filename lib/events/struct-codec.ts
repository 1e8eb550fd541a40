// google.protobuf.Struct <-> plain JSON values (UserLogin.IdentityAttributes,
// AccessRequestCreate.Annotations, database request bodies). Keys are written in ascending order,
// the canonical form Teleport's golden vectors use; any order is accepted on read.
import { badParameter } from '../errors.js';
import type { WireReader } from '../wire/wire-reader.js';
import { WIRE_LEN, type WireWriter } from '../wire/wire-writer.js';
import { setOwn } from './own-property.js';
import { checkNestingDepth } from './nesting-limit.js';

export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

export function encodeStruct(w: WireWriter, value: JsonValue, depth = 1): void {
  checkNestingDepth(depth, 'google.protobuf.Struct');
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw badParameter('a google.protobuf.Struct field needs a JSON object');
  }
  for (const key of Object.keys(value).sort()) {
    w.tag(1, WIRE_LEN);
    const entry = w.beginLen();
    w.tag(1, WIRE_LEN);
    w.string(key);
    w.tag(2, WIRE_LEN);
    const inner = w.beginLen();
    encodeValue(w, value[key], depth);
    w.endLen(inner);
    w.endLen(entry);
  }
}

function encodeValue(w: WireWriter, value: JsonValue | undefined, depth: number): void {
  if (value === null || value === undefined) {
    w.tag(1, 0); // null_value = NULL_VALUE (0); a oneof member is written even when zero
    w.varint(0);
    return;
  }
  switch (typeof value) {
    case 'number':
      w.tag(2, 1);
      w.double(value);
      return;
    case 'string':
      w.tag(3, WIRE_LEN);
      w.string(value);
      return;
    case 'boolean':
      w.tag(4, 0);
      w.varint(value ? 1 : 0);
      return;
    default:
      break;
  }
  if (Array.isArray(value)) {
    checkNestingDepth(depth + 1, 'google.protobuf.ListValue');
    w.tag(6, WIRE_LEN);
    const list = w.beginLen();
    for (const item of value) {
      w.tag(1, WIRE_LEN);
      const start = w.beginLen();
      encodeValue(w, item, depth + 1);
      w.endLen(start);
    }
    w.endLen(list);
    return;
  }
  w.tag(5, WIRE_LEN);
  const start = w.beginLen();
  encodeStruct(w, value, depth + 1);
  w.endLen(start);
}

export function decodeStruct(r: WireReader, end: number, depth = 1): { [key: string]: JsonValue } {
  checkNestingDepth(depth, `google.protobuf.Struct at byte ${r.pos}`);
  const out: { [key: string]: JsonValue } = {};
  while (r.pos < end) {
    const tag = r.varint();
    if (tag !== 0x0a) {
      r.skip(tag & 7);
      continue;
    }
    const [entryStart, entryEnd] = r.lenRange();
    r.pos = entryStart;
    let key = '';
    let value: JsonValue = null;
    while (r.pos < entryEnd) {
      const t = r.varint();
      if (t === 0x0a) key = r.string();
      else if (t === 0x12) {
        const [s, e] = r.lenRange();
        r.pos = s;
        value = decodeValue(r, e, depth);
      } else r.skip(t & 7);
    }
    setOwn(out, key, value);
  }
  return out;
}

function decodeValue(r: WireReader, end: number, depth: number): JsonValue {
  let value: JsonValue = null;
  while (r.pos < end) {
    const tag = r.varint();
    switch (tag) {
      case 0x08: r.varint(); value = null; break;
      case 0x11: value = r.double(); break;
      case 0x1a: value = r.string(); break;
      case 0x20: value = r.varint() !== 0; break;
      case 0x2a: {
        const [s, e] = r.lenRange();
        r.pos = s;
        value = decodeStruct(r, e, depth + 1);
        break;
      }
      case 0x32: {
        const [s, e] = r.lenRange();
        r.pos = s;
        checkNestingDepth(depth + 1, `google.protobuf.ListValue at byte ${s}`);
        const list: JsonValue[] = [];
        while (r.pos < e) {
          const t = r.varint();
          if (t === 0x0a) {
            const [is, ie] = r.lenRange();
            r.pos = is;
            list.push(decodeValue(r, ie, depth + 1));
          } else r.skip(t & 7);
        }
        value = list;
        break;
      }
      default: r.skip(tag & 7);
    }
  }
  r.pos = end;
  return value;
}
