// Puts hand-built events into decoded form (every field at its zero value) so tests can deep-compare
// what a reader returns with what was written.
import type { AuditEvent, AuditEventInput } from '../../lib/events/event.js';
import { decodeEvent, encodeEvent } from '../../lib/events/oneof.js';

export function normalizeEvent(event: AuditEventInput): AuditEvent {
  return decodeEvent(encodeEvent(event));
}

export function normalizeEvents(events: readonly AuditEventInput[]): AuditEvent[] {
  return events.map(normalizeEvent);
}

/**
 * Asserts two event lists are equal: every event's canonical bytes, plus a deep comparison of a
 * spread of them (a deep compare of thousands of events costs seconds and proves little more).
 */
export function expectSameEvents(actual: readonly AuditEventInput[], expected: readonly AuditEventInput[], expectFn: (v: unknown) => { toEqual(v: unknown): void }): void {
  expectFn(actual.length).toEqual(expected.length);
  const hex = (events: readonly AuditEventInput[]) => events.map((e) => Buffer.from(encodeEvent(e)).toString('hex'));
  expectFn(hex(actual)).toEqual(hex(expected));
  const step = Math.max(1, Math.floor(expected.length / 40));
  for (let i = 0; i < expected.length; i += step) expectFn(actual[i]).toEqual(normalizeEvent(expected[i]));
  if (expected.length) expectFn(actual[expected.length - 1]).toEqual(normalizeEvent(expected[expected.length - 1]));
}
