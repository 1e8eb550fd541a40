// The in-memory event: a plain object with Teleport's proto field names (Metadata, User, Session,
// ...), tagged with `$type`, the name of its protobuf message. Decoded events always carry `$type`;
// events built by hand may leave it out and are typed by `Metadata.Type` through Teleport's table.
import { badParameter } from '../errors.js';
import { hasMessage } from './message-codec.js';
import { schemaTable } from './schema.generated.js';
import type { EventMessages, OpaqueEventName, TypedEvent } from './event-types.generated.js';
import type { Timestamp, TimeInput } from './timestamp.js';

export interface EventMetadata {
  Index: number;
  Type: string;
  ID: string;
  Code: string;
  Time: Timestamp;
  ClusterName: string;
}

/**
 * An event object of any shape, as the codec and the storage layers handle them (they work per
 * field through the schema, so they need no static type per message).
 */
export interface EventObject {
  /** Protobuf message name (SessionPrint, SessionStart, ...); optional on input. */
  $type?: string;
  Metadata: EventMetadata;
  [field: string]: unknown;
}

/** An event object of any shape on input: metadata fields may be missing, times may be Dates or strings. */
export interface EventInputObject {
  $type?: string;
  Metadata?: Partial<Omit<EventMetadata, 'Time'>> & { Time?: TimeInput };
  [field: string]: unknown;
}

/** A OneOf entry this schema cannot describe, passed through byte for byte. */
export type OpaqueEvent = {
  $type: OpaqueEventName;
  $oneof: number;
  /** The inner message bytes. */
  $raw: Uint8Array;
  Metadata: EventMetadata;
};

/**
 * Any decoded Teleport audit or session event: one generated type per message, told apart by
 * `$type` (`if (event.$type === 'SessionPrint') event.Data` is a Uint8Array), or an opaque entry.
 */
export type AuditEvent = (TypedEvent | OpaqueEvent) & EventObject;

/** What an input field may be: times as Date, string or milliseconds; every field optional, nested too. */
type FieldInput<V> = V extends Timestamp
  ? TimeInput
  : V extends Uint8Array
    ? Uint8Array
    : V extends readonly (infer E)[]
      ? FieldInput<E>[]
      : V extends object
        ? { [K in keyof V]?: FieldInput<V[K]> }
        : V;

/** The input form of one event message: `$type` set, every other field optional. */
export type EventInputOf<M extends keyof EventMessages> = { $type: M } & {
  [K in Exclude<keyof EventMessages[M], '$type'>]?: FieldInput<EventMessages[M][K]>;
};

/**
 * What callers may pass in. With `$type`, the object is checked against that message's generated
 * type (a field of the wrong shape does not compile; a field the message does not have is
 * BAD_PARAMETER at run time). Without it, the message comes from `Metadata.Type` through
 * Teleport's table and the fields are checked at run time only.
 */
export type AuditEventInput =
  | ({ [M in keyof EventMessages]: EventInputOf<M> }[keyof EventMessages] & EventInputObject)
  | (EventInputObject & { $type?: undefined })
  | (OpaqueEvent & EventInputObject);

export const typeToMessage: ReadonlyMap<string, string> = new Map(schemaTable.eventTypes.map(([type, , message]) => [type, message]));

export const oneofByMessage: ReadonlyMap<string, number> = new Map(
  schemaTable.oneof.filter(([, , ref]) => ref !== null).map(([no, , ref]) => [ref as string, no]),
);

export const oneofByNumber: ReadonlyMap<number, { name: string; message: string | null }> = new Map(
  schemaTable.oneof.map(([no, name, ref]) => [no, { name, message: ref }]),
);

export function isOpaqueEvent(event: EventInputObject): event is OpaqueEvent & EventInputObject {
  return typeof event.$oneof === 'number' && event.$raw instanceof Uint8Array;
}

/** The protobuf message of an event: its `$type`, else Teleport's table entry for Metadata.Type. */
export function messageOf(event: EventInputObject): string {
  const declared = event.$type;
  if (declared !== undefined) {
    if (!hasMessage(declared)) throw badParameter(`unknown event message ${JSON.stringify(declared)}`);
    return declared;
  }
  const type = event.Metadata?.Type;
  const message = type === undefined ? undefined : typeToMessage.get(type);
  if (!message) {
    throw badParameter(`cannot tell the message of event type ${JSON.stringify(type ?? '')}: set $type`);
  }
  return message;
}
