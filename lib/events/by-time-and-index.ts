// Teleport's ByTimeAndIndex: order by event time; two events of the same session at the same
// time are ordered by their event index.
import { EventIndex, EventTime, SessionEventID } from './constants.generated.js';
import { EventFields } from './event-fields.js';

function asFields(value: EventFields | Record<string, unknown>): EventFields {
  return value instanceof EventFields ? value : new EventFields(value);
}

/** A comparator for Array#sort over EventFields (or plain JSON objects in Teleport's form). */
export function byTimeAndIndex(a: EventFields | Record<string, unknown>, b: EventFields | Record<string, unknown>): number {
  const fa = asFields(a);
  const fb = asFields(b);
  const ta = fa.getTime(EventTime);
  const tb = fb.getTime(EventTime);
  if (ta.equals(tb) && fa[SessionEventID] === fb[SessionEventID]) return fa.getInt(EventIndex) - fb.getInt(EventIndex);
  return ta.compare(tb);
}
