// Stand-in for lib/events' trimToMaxSize until that lands: cuts every string field outside
// Metadata (and each string list element) evenly, with Teleport's trimStr rule, so the JSON form
// fits. Only used through event-json.ts.
import type { AuditEventInput } from '../events/event.js';
import { marshalEventJson } from '../events/event-json.js';

/** Teleport's trimStr: a counter starts at 2 (quotes), +1 per rune, +1 more per `"` or `\`. */
export function trimStr(s: string, n: number): string {
  let counter = 2;
  let index = 0;
  for (const rune of s) {
    counter += rune === '"' || rune === '\\' ? 2 : 1;
    if (counter > n) return s.slice(0, index);
    index += rune.length;
  }
  return s;
}

type Slot = { holder: Record<string, unknown> | unknown[]; key: string | number; value: string };

function collect(value: unknown, slots: Slot[], top: boolean): void {
  if (Array.isArray(value)) {
    value.forEach((v, i) => {
      if (typeof v === 'string') { if (v) slots.push({ holder: value, key: i, value: v }); } else collect(v, slots, false);
    });
    return;
  }
  if (value === null || typeof value !== 'object' || value instanceof Uint8Array) return;
  if (typeof (value as { toISOString?: unknown }).toISOString === 'function') return;
  for (const [key, v] of Object.entries(value)) {
    if (top && (key === 'Metadata' || key === '$type')) continue;
    if (typeof v === 'string') { if (v) slots.push({ holder: value as Record<string, unknown>, key, value: v }); } else collect(v, slots, false);
  }
}

function clone<T>(value: T): T {
  if (Array.isArray(value)) return value.map(clone) as T;
  if (value === null || typeof value !== 'object' || value instanceof Uint8Array) return value;
  if (typeof (value as { toISOString?: unknown }).toISOString === 'function') return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = clone(v);
  return out as T;
}

export function trimEventToMaxSize<T extends AuditEventInput>(event: T, maxSize: number): T {
  if (Buffer.byteLength(marshalEventJson(event)) <= maxSize) return event;
  const copy = clone(event);
  const slots: Slot[] = [];
  collect(copy, slots, true);
  if (slots.length === 0) return event;
  for (const slot of slots) (slot.holder as Record<string | number, unknown>)[slot.key] = '';
  const base = Buffer.byteLength(marshalEventJson(copy));
  const adjusted = maxSize - (Math.floor(maxSize / 10) + base);
  const perField = Math.max(0, Math.floor(adjusted / slots.length));
  for (const slot of slots) (slot.holder as Record<string | number, unknown>)[slot.key] = trimStr(slot.value, perField);
  return copy;
}
