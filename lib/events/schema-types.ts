// Shapes of the generated descriptor table (schema.generated.ts).

export type FieldKind =
  | 'string' | 'bytes' | 'bool' | 'int32' | 'int64' | 'uint32' | 'uint64' | 'double'
  | 'enum' | 'message' | 'timestamp' | 'map' | 'struct' | 'traits' | 'uint32value' | 'uint64value'
  | 'raw';

/** [number, name, kind, ref, flags, jsonTag] */
export type FieldRow = readonly [number, string, FieldKind, string | null, number, string];

export interface SchemaTable {
  readonly messages: Readonly<Record<string, readonly FieldRow[]>>;
  readonly enums: Readonly<Record<string, readonly (readonly [string, number])[]>>;
  /** [oneof number, oneof field name, message name or null when the schema has no description] */
  readonly oneof: readonly (readonly [number, string, string | null])[];
  /** Teleport's table from event type string to message: [type, Go constant name, message] */
  readonly eventTypes: readonly (readonly [string, string, string])[];
}

export const FLAG_REPEATED = 1;
export const FLAG_EMBED = 2;
export const FLAG_NON_NULL = 4;
export const FLAG_NEWER = 8;
