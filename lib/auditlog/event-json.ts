// The one seam between the audit log and lib/events' JSON form. Everything in lib/auditlog that
// turns a typed event into a Teleport JSON line (or back) goes through here, so a change in
// lib/events touches this file only.
// From the modules themselves, not the lib/events barrel: that one also builds the event catalogue,
// which `record` (its audit log goes through here) does not need at start-up.
import type { AuditEvent, AuditEventInput } from '../events/event.js';
import { EventFields, fromEventFields, toEventFields } from '../events/event-fields.js';
import { marshalEventJson } from '../events/event-json.js';
import { trimToMaxSize as trimEvent } from '../events/trim.js';

export { EventFields };

/** utils.FastMarshal of a typed event or an EventFields map (no trailing newline). */
export function eventJsonLine(event: AuditEventInput | EventFields): string {
  return marshalEventJson(event);
}

/** Typed event -> EventFields. */
export function eventToFields(event: AuditEventInput): EventFields {
  return toEventFields(event);
}

/** A parsed JSON object in Teleport's form -> typed event (unknown types become `Unknown`). */
export function fieldsToEvent(fields: Record<string, unknown>): AuditEvent {
  return fromEventFields(fields);
}

/** The event with its trimmable fields cut to fit `maxSize` (Teleport's TrimToMaxSize). */
export function trimToMaxSize<T extends AuditEventInput>(event: T, maxSize: number): T {
  return trimEvent(event, maxSize);
}
