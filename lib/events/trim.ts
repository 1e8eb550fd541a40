// TrimToMaxSize (Teleport api/types/events): an event larger than maxSize gets its long free-text
// string fields cut so the whole fits. The rule, per Teleport: clone; clear the trimmable fields;
// budget = maxSize - (maxSize/10 + size of the cleared clone); split the budget evenly over the
// non-empty strings being trimmed (each element of a list counts); cut each with trimStr, which
// counts a JSON quote pair and one escape per " or \. Identity and metadata fields are never cut,
// so an event whose bulk is an identifier (AccessRequestDelete.RequestID) stays over the limit.
import type { AuditEventInput } from './event.js';
import { isOpaqueEvent, messageOf } from './event.js';
import { eventSize } from './event-size.js';
import { getMessage, type CompiledField } from './message-codec.js';
import { Timestamp } from './timestamp.js';
import { setOwn } from './own-property.js';

/** Cuts s at the first rune where the JSON-quoted length would pass n (Teleport's trimStr). */
export function trimStr(s: string, n: number): string {
  let count = 2; // the quotes around a JSON string
  let i = 0;
  for (const rune of s) {
    if (count + 1 > n) return s.slice(0, i);
    if (rune === '"' || rune === '\\') count++;
    count++;
    i += rune.length;
  }
  return s;
}

/** Teleport's own choice of fields for the events whose trimming it documents. */
const EXPLICIT: Readonly<Record<string, readonly (readonly string[])[]>> = {
  SessionPrint: [],
  DesktopRecording: [],
  SessionStart: [['InitialCommand'], ['Invited']],
  SessionEnd: [['InitialCommand']],
  Exec: [['Command', 'Command']],
  UserLogin: [['Status', 'Error'], ['Status', 'UserMessage']],
  DatabaseSessionQuery: [['DatabaseQuery'], ['DatabaseQueryParameters']],
};

/** Messages that describe who/where (never trimmed); CommandMetadata carries free text and is trimmable. */
export function isMetadataMessage(name: string): boolean {
  return name.endsWith('Metadata') && name !== 'CommandMetadata';
}

/** Identifiers, kinds and codes are not free text: cutting them would make the event lie. */
const IDENTIFIER_RE = /(?:ID|IDs|Id|Ids|UID|UUID|Kind|Type|Code)$/;

function isTrimmableString(field: CompiledField): boolean {
  return field.kind === 'string' && !IDENTIFIER_RE.test(field.name);
}

const pathCache = new Map<string, readonly (readonly string[])[]>();

/** The property paths trimToMaxSize may cut for a message. */
export function trimmablePaths(message: string): readonly (readonly string[])[] {
  const explicit = EXPLICIT[message];
  if (explicit) return explicit;
  const cached = pathCache.get(message);
  if (cached) return cached;
  const paths: string[][] = [];
  for (const field of getMessage(message).fields) {
    if (field.embed && field.kind === 'message' && field.ref && !isMetadataMessage(field.ref)) {
      for (const inner of getMessage(field.ref).fields) {
        if (isTrimmableString(inner)) paths.push([field.name, inner.name]);
      }
    } else if (isTrimmableString(field)) {
      paths.push([field.name]);
    }
  }
  pathCache.set(message, paths);
  return paths;
}

function getPath(value: Record<string, unknown>, path: readonly string[]): unknown {
  let v: unknown = value;
  for (const name of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<string, unknown>)[name];
  }
  return v;
}

function setPath(value: Record<string, unknown>, path: readonly string[], next: unknown): void {
  let obj = value;
  for (let i = 0; i < path.length - 1; i++) {
    const child = obj[path[i]!];
    if (child === null || typeof child !== 'object') return;
    obj = child as Record<string, unknown>;
  }
  obj[path[path.length - 1]!] = next;
}

/** Deep copy of plain objects and arrays; Timestamps and byte arrays are shared (never mutated here). */
function clone<T>(value: T): T {
  if (value === null || typeof value !== 'object') return value;
  if (value instanceof Timestamp || value instanceof Uint8Array || value instanceof Date) return value;
  if (Array.isArray(value)) return value.map(clone) as T;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) setOwn(out, k, clone(v));
  return out as T;
}

/**
 * Returns the event unchanged when its protobuf size is at most maxSize, else a trimmed copy
 * (which may still be larger when the bulk of the event is not trimmable). SessionPrint and
 * DesktopRecording are always returned unchanged: the session writer splits their data instead.
 */
export function trimToMaxSize<T extends AuditEventInput>(event: T, maxSize: number): T {
  if (eventSize(event) <= maxSize) return event;
  if (isOpaqueEvent(event)) return event;
  const paths = trimmablePaths(messageOf(event));
  if (paths.length === 0) return event;
  const source = event as unknown as Record<string, unknown>;
  const out = clone(source);
  let count = 0;
  for (const path of paths) {
    const v = getPath(source, path);
    if (Array.isArray(v)) {
      for (const item of v) if (typeof item === 'string' && item !== '') count++;
      if (v.length > 0) setPath(out, path, []);
    } else if (typeof v === 'string' && v !== '') {
      count++;
      setPath(out, path, '');
    }
  }
  if (count === 0) return event;
  const adjusted = maxSize - (Math.trunc(maxSize / 10) + eventSize(out as unknown as AuditEventInput));
  const perField = count === 0 ? adjusted : Math.trunc(adjusted / count);
  for (const path of paths) {
    const v = getPath(source, path);
    if (Array.isArray(v)) {
      if (v.length > 0) setPath(out, path, v.map((item) => (typeof item === 'string' ? trimStr(item, perField) : item)));
    } else if (typeof v === 'string' && v !== '') {
      setPath(out, path, trimStr(v, perField));
    }
  }
  return out as unknown as T;
}

