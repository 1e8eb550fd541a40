// Getters that work on any event by what it embeds, as Go's promoted methods do: an event with an
// embedded SessionMetadata has a session ID, one with UserMetadata has a Teleport user, one with
// ServerMetadata has a server. Events without them give ''.
import type { AuditEventInput } from './event.js';
import { isOpaqueEvent, messageOf } from './event.js';
import { getMessage, hasMessage } from './message-codec.js';

const embedCache = new Map<string, Map<string, string>>();

/** The property name under which `event` embeds message `ref` (e.g. 'Session' for SessionMetadata). */
export function embeddedField(event: AuditEventInput, ref: string): string | undefined {
  if (isOpaqueEvent(event)) return undefined;
  let message: string;
  try {
    message = messageOf(event);
  } catch {
    return undefined;
  }
  if (!hasMessage(message)) return undefined;
  let byRef = embedCache.get(message);
  if (!byRef) {
    byRef = new Map();
    for (const f of getMessage(message).fields) {
      if (f.embed && f.kind === 'message' && f.ref && !byRef.has(f.ref)) byRef.set(f.ref, f.name);
    }
    embedCache.set(message, byRef);
  }
  return byRef.get(ref);
}

/** An embedded message of the event as a record, or undefined when the event has none. */
export function embedded(event: AuditEventInput, ref: string): Record<string, unknown> | undefined {
  const name = embeddedField(event, ref);
  if (name === undefined) return undefined;
  const value = event[name];
  return value !== null && typeof value === 'object' ? value as Record<string, unknown> : {};
}

function stringOf(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

/** The session ID of events that carry SessionMetadata; '' for the others (Teleport's GetSessionID). */
export function getSessionId(event: AuditEventInput): string {
  return stringOf(embedded(event, 'SessionMetadata')?.SessionID);
}

/** The Teleport user of events that carry UserMetadata; '' for the others (InstanceJoin, ...). */
export function getTeleportUser(event: AuditEventInput): string {
  return stringOf(embedded(event, 'UserMetadata')?.User);
}
