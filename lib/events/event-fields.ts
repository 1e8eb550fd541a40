// EventFields: the dynamic map form of an event (Teleport's JSON form parsed), with the seed's
// getters; ToEventFields / FromEventFields convert between it and typed events exactly as
// lib/events/dynamic.go does (JSON through the Go struct, unknown types into events.Unknown).
import { badParameter } from '../errors.js';
import {
  EventCode, EventCursor, EventID, EventLogin, EventTime, EventType, SessionPrintEventBytes, UnknownCode, UnknownEvent,
} from './constants.generated.js';
import type { AuditEvent, AuditEventInput } from './event.js';
import { typeToMessage } from './event.js';
import { EVENT_FIELDS_BRAND, marshalEventJson } from './event-json.js';
import { STD_MARSHAL, marshalGoValue } from './go-json.js';
import { decodeJsonInto } from './json-unmarshal.js';
import { getMessage, zeroMessage, type MessageValue } from './message-codec.js';
import { Timestamp } from './timestamp.js';
import { setOwn } from './own-property.js';

/** An event as a JSON object (Go's map[string]interface{}), keyed by Teleport's JSON names. */
export class EventFields {
  [key: string]: unknown;

  constructor(fields?: Record<string, unknown>) {
    Object.defineProperty(this, EVENT_FIELDS_BRAND, { value: true, enumerable: false });
    if (fields) for (const [key, value] of Object.entries(fields)) setOwn(this, key, value);
  }

  /** Parses one JSON line (an audit log entry) into EventFields. */
  static parse(line: string): EventFields {
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (err) {
      throw badParameter(`event JSON does not parse: ${(err as Error).message}`, err);
    }
    if (value === null || typeof value !== 'object' || Array.isArray(value)) throw badParameter('event JSON must be an object');
    return new EventFields(value as Record<string, unknown>);
  }

  /** The field as a string; '' when missing or not a string. */
  getString(key: string): string {
    const v = this[key];
    return typeof v === 'string' ? v : '';
  }

  /** The strings of a list field; elements that are not strings are skipped. */
  getStrings(key: string): string[] {
    const v = this[key];
    if (!Object.hasOwn(this, key) || v === undefined) return [];
    return Array.isArray(v) ? v.filter((s): s is string => typeof s === 'string') : [];
  }

  /** The field as an integer (a fractional number is truncated, as Go's int(float64)); 0 otherwise. */
  getInt(key: string): number {
    const v = this[key];
    return typeof v === 'number' && Number.isFinite(v) ? Math.trunc(v) : 0;
  }

  /** The field as a time (RFC 3339 string, Timestamp or Date); Go's zero time otherwise. */
  getTime(key: string): Timestamp {
    const v = this[key];
    if (v instanceof Timestamp) return v;
    if (v instanceof Date) return Number.isNaN(v.getTime()) ? Timestamp.ZERO : Timestamp.fromDate(v);
    if (typeof v !== 'string') return Timestamp.ZERO;
    try {
      return Timestamp.parse(v);
    } catch {
      return Timestamp.ZERO;
    }
  }

  /** When the event was emitted (`time`). */
  getTimestamp(): Timestamp {
    return this.getTime(EventTime);
  }

  getType(): string {
    return this.getString(EventType);
  }

  getId(): string {
    return this.getString(EventID);
  }

  getCode(): string {
    return this.getString(EventCode);
  }

  hasField(key: string): boolean {
    return Object.hasOwn(this, key);
  }

  /** A short description: `<type>: login=<login>, id=<id>, bytes=<bytes>`. */
  asString(): string {
    return `${this.getString(EventType)}: login=${this.getString(EventLogin)}, id=${this.getInt(EventCursor)}, bytes=${this.getInt(SessionPrintEventBytes)}`;
  }

  /** Teleport's JSON line for these fields (utils.FastMarshal: sorted keys, no HTML escaping). */
  toJSONLine(): string {
    return marshalEventJson(this);
  }
}

export function isEventFields(value: unknown): value is EventFields {
  return value instanceof EventFields;
}

/** Typed event -> EventFields (its JSON form parsed back into a map), as Teleport's ToEventFields. */
export function toEventFields(event: AuditEventInput): EventFields {
  return EventFields.parse(marshalEventJson(event));
}

/**
 * EventFields (or any JSON object in Teleport's form) -> typed event, as Teleport's FromEventFields:
 * the `event` key picks the message through Teleport's table; an unknown type becomes an
 * events.Unknown (type `unknown`, code UnknownCode) keeping the original type, code and JSON.
 * A value of the wrong JSON type for its field is a BAD_PARAMETER error.
 */
export function fromEventFields(fields: EventFields | Record<string, unknown>): AuditEvent {
  if (fields === null || typeof fields !== 'object' || Array.isArray(fields)) throw badParameter('fromEventFields needs an object');
  const record = fields as Record<string, unknown>;
  const eventType = typeof record[EventType] === 'string' ? record[EventType] as string : '';
  const message = typeToMessage.get(eventType);
  if (message !== undefined) {
    const out = { $type: message, ...zeroMessage(getMessage(message)) } as MessageValue;
    decodeJsonInto(message, record, out);
    return out as unknown as AuditEvent;
  }
  const data = marshalGoValue(record, STD_MARSHAL);
  const unknown = { $type: 'Unknown', ...zeroMessage(getMessage('Unknown')) } as MessageValue;
  decodeJsonInto('Unknown', record, unknown);
  const metadata = unknown.Metadata as MessageValue;
  metadata.Type = UnknownEvent;
  metadata.Code = UnknownCode;
  unknown.UnknownType = eventType;
  unknown.UnknownCode = typeof record[EventCode] === 'string' ? record[EventCode] : '';
  unknown.Data = data;
  return unknown as unknown as AuditEvent;
}
