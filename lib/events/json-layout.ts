// Where each field of an event sits in Teleport's JSON form. Go flattens anonymous (embedded)
// structs into the parent object, in declaration order; when two fields claim one JSON name the
// shallower wins and equally deep ones cancel out (encoding/json and json-iterator agree on this).
import { getMessage, type CompiledField } from './message-codec.js';

export interface JsonSlot {
  /** The JSON key. */
  readonly key: string;
  /** Property names from the event object down to the field (['User', 'Login'], ['TerminalSize']). */
  readonly path: readonly string[];
  readonly field: CompiledField;
  readonly omitEmpty: boolean;
  /** The message the field is declared in (for error messages). */
  readonly owner: string;
  /** Added after Teleport v14 (the field or an embedded message holding it): left out while empty. */
  readonly newer: boolean;
}

export interface JsonLayout {
  readonly message: string;
  readonly slots: readonly JsonSlot[];
  readonly byKey: ReadonlyMap<string, JsonSlot>;
  /** Lower-cased keys: Go's decoder matches object keys case-insensitively when no exact match exists. */
  readonly byFoldedKey: ReadonlyMap<string, JsonSlot>;
}

interface Candidate extends JsonSlot {
  readonly depth: number;
}

const layouts = new Map<string, JsonLayout>();

function collect(message: string, prefix: readonly string[], depth: number, newer: boolean, out: Candidate[], seen: Set<string>): void {
  for (const field of getMessage(message).fields) {
    if (field.jsonName === '-') continue;
    if (field.embed && field.kind === 'message' && field.jsonName === '' && field.ref && !seen.has(field.ref)) {
      seen.add(field.ref);
      collect(field.ref, [...prefix, field.name], depth + 1, newer || field.newer, out, seen);
      seen.delete(field.ref);
      continue;
    }
    out.push({
      key: field.jsonName === '' ? field.name : field.jsonName,
      path: [...prefix, field.name],
      field,
      omitEmpty: field.omitEmpty,
      owner: message,
      newer: newer || field.newer,
      depth,
    });
  }
}

export function jsonLayout(message: string): JsonLayout {
  const cached = layouts.get(message);
  if (cached) return cached;
  const candidates: Candidate[] = [];
  collect(message, [], 0, false, candidates, new Set([message]));
  const minDepth = new Map<string, number>();
  const countAtMin = new Map<string, number>();
  for (const c of candidates) {
    const d = minDepth.get(c.key);
    if (d === undefined || c.depth < d) {
      minDepth.set(c.key, c.depth);
      countAtMin.set(c.key, 1);
    } else if (c.depth === d) {
      countAtMin.set(c.key, (countAtMin.get(c.key) ?? 0) + 1);
    }
  }
  const slots: JsonSlot[] = [];
  for (const c of candidates) {
    if (c.depth !== minDepth.get(c.key) || countAtMin.get(c.key) !== 1) continue;
    const { depth: _depth, ...slot } = c;
    slots.push(slot);
  }
  const byKey = new Map(slots.map((s) => [s.key, s]));
  const byFoldedKey = new Map<string, JsonSlot>();
  for (const s of slots) {
    const folded = s.key.toLowerCase();
    if (!byFoldedKey.has(folded)) byFoldedKey.set(folded, s);
  }
  const layout: JsonLayout = { message, slots, byKey, byFoldedKey };
  layouts.set(message, layout);
  return layout;
}
