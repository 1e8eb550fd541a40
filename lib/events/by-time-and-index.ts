// Teleport's ByTimeAndIndex: order by event time; two events of the same session at the same
// time are ordered by their event index.
import { EventIndex, EventTime, SessionEventID } from './constants.generated.js';
import { EventFields } from './event-fields.js';

const { getTime, getInt } = EventFields.prototype;

function asFields(value: EventFields | Record<string, unknown>): EventFields {
  return value instanceof EventFields ? value : new EventFields(value);
}

/** A comparator for Array#sort over EventFields (or plain JSON objects in Teleport's form). */
export function byTimeAndIndex(a: EventFields | Record<string, unknown>, b: EventFields | Record<string, unknown>): number {
  // Called through the prototype: a log line may carry a key named like a method.
  const fa = asFields(a);
  const fb = asFields(b);
  const ta = getTime.call(fa, EventTime);
  const tb = getTime.call(fb, EventTime);
  if (ta.equals(tb) && fa[SessionEventID] === fb[SessionEventID]) return getInt.call(fa, EventIndex) - getInt.call(fb, EventIndex);
  return ta.compare(tb);
}
