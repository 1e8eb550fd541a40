// The in-memory event: a plain object with Teleport's proto field names (Metadata, User, Session,
// ...), tagged with `$type`, the name of its protobuf message. Decoded events always carry `$type`;
// events built by hand may leave it out and are typed by `Metadata.Type` through Teleport's table.
import { badParameter } from '../errors.js';
import { hasMessage } from './message-codec.js';
import { schemaTable } from './schema.generated.js';
import type { Timestamp, TimeInput } from './timestamp.js';

export interface EventMetadata {
  Index: number;
  Type: string;
  ID: string;
  Code: string;
  Time: Timestamp;
  ClusterName: string;
}

/** Any Teleport audit or session event. */
export interface AuditEvent {
  /** Protobuf message name (SessionPrint, SessionStart, ...); optional on input. */
  $type?: string;
  Metadata: EventMetadata;
  [field: string]: unknown;
}

/** What callers may pass in: metadata fields may be missing, times may be Dates or strings. */
export interface AuditEventInput {
  $type?: string;
  Metadata?: Partial<Omit<EventMetadata, 'Time'>> & { Time?: TimeInput };
  [field: string]: unknown;
}

/** A OneOf entry this schema cannot describe, passed through byte for byte. */
export interface OpaqueEvent extends AuditEvent {
  $oneof: number;
  /** The inner message bytes. */
  $raw: Uint8Array;
}

export const typeToMessage: ReadonlyMap<string, string> = new Map(schemaTable.eventTypes.map(([type, , message]) => [type, message]));

export const oneofByMessage: ReadonlyMap<string, number> = new Map(
  schemaTable.oneof.filter(([, , ref]) => ref !== null).map(([no, , ref]) => [ref as string, no]),
);

export const oneofByNumber: ReadonlyMap<number, { name: string; message: string | null }> = new Map(
  schemaTable.oneof.map(([no, name, ref]) => [no, { name, message: ref }]),
);

export function isOpaqueEvent(event: AuditEventInput): event is OpaqueEvent {
  return typeof (event as OpaqueEvent).$oneof === 'number' && (event as OpaqueEvent).$raw instanceof Uint8Array;
}

/** The protobuf message of an event: its `$type`, else Teleport's table entry for Metadata.Type. */
export function messageOf(event: AuditEventInput): string {
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
