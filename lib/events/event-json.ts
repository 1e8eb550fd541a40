// Teleport's JSON form of a typed event (utils.FastMarshal of the Go struct): fields in struct
// order with embedded messages flattened in place, keys from the json tags, Go's omitempty (which
// never drops a struct or a time.Time), times in RFC3339Nano, []byte in base64, map keys sorted,
// no HTML escaping, enums as numbers. google.protobuf.Struct fields are plain JSON written by
// encoding/json, as their MarshalJSON does. Fields newer than Teleport v14 are left out while
// empty, so the lines match what v14 writes.
import { badParameter } from '../errors.js';
import type { AuditEventInput } from './event.js';
import { isOpaqueEvent, messageOf } from './event.js';
import { FAST_MARSHAL, STD_MARSHAL, compareGoStrings, goFloatLossy, goString, marshalGoValue } from './go-json.js';
import { jsonLayout, type JsonSlot } from './json-layout.js';
import { checkFieldNames, getMessage, zeroMessage, type CompiledField, type MessageValue } from './message-codec.js';
import { schemaTable } from './schema.generated.js';
import { Timestamp } from './timestamp.js';

const enumValues = new Map<string, Map<string, number>>(
  Object.entries(schemaTable.enums).map(([name, values]) => [name, new Map(values)]),
);

function pathValue(value: MessageValue, path: readonly string[]): unknown {
  let v: unknown = value;
  for (const name of path) {
    if (v === null || v === undefined || typeof v !== 'object') return undefined;
    v = (v as Record<string, unknown>)[name];
  }
  return v;
}

function toNumber(field: CompiledField, v: unknown): number {
  if (v === undefined || v === null) return 0;
  if (typeof v === 'number') return v;
  if (typeof v === 'bigint') return Number(v);
  if (field.kind === 'enum' && typeof v === 'string') {
    const n = enumValues.get(field.ref!)?.get(v);
    if (n !== undefined) return n;
  }
  if (field.kind === 'bool') return v ? 1 : 0;
  throw badParameter(`field ${field.name}: ${JSON.stringify(v)} is not a number`);
}

function isEmptyValue(field: CompiledField, v: unknown): boolean {
  if (v === undefined || v === null) return true;
  if (field.repeated) return Array.isArray(v) && v.length === 0;
  switch (field.kind) {
    case 'string': return v === '';
    case 'bytes': case 'raw': return v instanceof Uint8Array && v.length === 0;
    case 'bool': return v === false;
    case 'map': case 'traits': return typeof v === 'object' && Object.keys(v as object).length === 0;
    case 'timestamp': return v instanceof Timestamp ? v.isZero() : false;
    case 'message': return false;
    case 'struct': return false;
    default: return v === 0;
  }
}

function base64(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
}

/** One scalar or message value (not a list) in FastMarshal form. */
function scalarJson(field: CompiledField, v: unknown): string {
  switch (field.kind) {
    case 'string': return goString(typeof v === 'string' ? v : String(v ?? ''));
    case 'bytes': case 'raw': {
      if (v === undefined || v === null) return 'null';
      if (!(v instanceof Uint8Array)) throw badParameter(`field ${field.name}: expected bytes`);
      return `"${base64(v)}"`;
    }
    case 'bool': return v ? 'true' : 'false';
    case 'double': return goFloatLossy(toNumber(field, v));
    case 'int32': case 'int64': case 'uint32': case 'uint64': case 'enum': return String(toNumber(field, v));
    case 'message':
      if (v === undefined || v === null) return 'null';
      return messageJson(field.ref!, v as MessageValue);
    case 'timestamp':
      if (v === undefined || v === null) return 'null';
      return goString(Timestamp.from(v as never).toISOString());
    default:
      throw badParameter(`field ${field.name}: cannot write ${field.kind} in a list`);
  }
}

/** The JSON text of one slot's value, or undefined when Go leaves it out. */
function slotJson(slot: JsonSlot, v: unknown): string | undefined {
  const { field } = slot;
  if (slot.newer && isEmptyValue(field, v)) return undefined;
  if (field.repeated) {
    const list = Array.isArray(v) ? v : [];
    if (list.length === 0) return slot.omitEmpty ? undefined : 'null';
    return `[${list.map((item) => scalarJson(field, item)).join(',')}]`;
  }
  switch (field.kind) {
    case 'string':
      if (slot.omitEmpty && (v === undefined || v === null || v === '')) return undefined;
      return scalarJson(field, v);
    case 'bytes':
      if (v === undefined || v === null || (v instanceof Uint8Array && v.length === 0)) return slot.omitEmpty ? undefined : 'null';
      return scalarJson(field, v);
    case 'raw':
      return undefined; // a message this schema does not describe: no JSON form
    case 'bool':
      if (slot.omitEmpty && !v) return undefined;
      return scalarJson(field, v);
    case 'int32': case 'int64': case 'uint32': case 'uint64': case 'enum': case 'double':
      if (slot.omitEmpty && toNumber(field, v) === 0) return undefined;
      return scalarJson(field, v);
    case 'map': {
      const record = (v ?? {}) as Record<string, unknown>;
      const keys = Object.keys(record);
      if (keys.length === 0) return slot.omitEmpty ? undefined : 'null';
      keys.sort(compareGoStrings);
      return `{${keys.map((k) => `${goString(k)}:${goString(String(record[k] ?? ''))}`).join(',')}}`;
    }
    case 'traits': {
      const record = (v ?? {}) as Record<string, unknown>;
      const keys = Object.keys(record);
      if (keys.length === 0) return slot.omitEmpty ? undefined : 'null';
      keys.sort(compareGoStrings);
      return `{${keys.map((k) => {
        const list = record[k];
        const text = Array.isArray(list) && list.length > 0 ? `[${list.map((s) => goString(String(s))).join(',')}]` : 'null';
        return `${goString(k)}:${text}`;
      }).join(',')}}`;
    }
    case 'message':
      if (v === undefined || v === null) {
        if (field.nonNull) return messageJson(field.ref!, zeroMessage(getMessage(field.ref!)));
        return slot.omitEmpty ? undefined : 'null';
      }
      return messageJson(field.ref!, v as MessageValue);
    case 'timestamp':
      if (v === undefined || v === null) {
        if (field.nonNull) return goString(Timestamp.ZERO.toISOString());
        return slot.omitEmpty ? undefined : 'null';
      }
      return scalarJson(field, v);
    case 'struct':
      if (v === undefined || v === null) return slot.omitEmpty ? undefined : 'null';
      return marshalGoValue(v, STD_MARSHAL);
    case 'uint32value': case 'uint64value':
      if (v === undefined || v === null) return slot.omitEmpty ? undefined : 'null';
      return String(toNumber(field, v));
    default:
      throw badParameter(`field ${field.name}: unexpected kind ${field.kind}`);
  }
}

/** A message as a JSON object, flattened by its layout. */
export function messageJson(message: string, value: MessageValue): string {
  const parts: string[] = [];
  for (const slot of jsonLayout(message).slots) {
    const text = slotJson(slot, pathValue(value, slot.path));
    if (text !== undefined) parts.push(`${goString(slot.key)}:${text}`);
  }
  return `{${parts.join(',')}}`;
}

function isTypedEvent(value: object): value is AuditEventInput {
  if (typeof (value as { $type?: unknown }).$type === 'string') return true;
  const md = (value as { Metadata?: unknown }).Metadata;
  return md !== null && typeof md === 'object' && !Array.isArray(md);
}

/**
 * One line of Teleport's audit log / JSON export for a typed event, or utils.FastMarshal of an
 * EventFields map (sorted keys). No trailing newline.
 */
export function marshalEventJson(event: AuditEventInput | Record<string, unknown>): string {
  if (event === null || typeof event !== 'object') throw badParameter('marshalEventJson needs an event or an EventFields object');
  if (!isTypedEvent(event) || isEventFieldsLike(event)) return marshalGoValue(event, FAST_MARSHAL);
  if (isOpaqueEvent(event)) return messageJson('Metadata', (event.Metadata ?? {}) as unknown as MessageValue);
  const message = messageOf(event);
  checkFieldNames(getMessage(message), event as MessageValue);
  return messageJson(message, event as MessageValue);
}

// EventFields (a class in event-fields.ts) is recognised by a brand to avoid an import cycle.
export const EVENT_FIELDS_BRAND: unique symbol = Symbol.for('auditcast.EventFields');

function isEventFieldsLike(value: object): boolean {
  return (value as Record<symbol, unknown>)[EVENT_FIELDS_BRAND] === true;
}
