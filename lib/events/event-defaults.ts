// Fills the fields every recorded event must have (Teleport's checkAndSetEventFields): a type, a
// code (not for print and desktop.recording), a unique id, a time and the cluster name.
import { randomUUID } from 'node:crypto';
import { badParameter } from '../errors.js';
import type { AuditEventInput } from './event.js';
import { Timestamp } from './timestamp.js';

/** Event types that carry neither a code nor an id. */
const UNCODED_TYPES = new Set(['print', 'desktop.recording']);

export interface EventDefaults {
  now?: () => Date;
  uid?: () => string;
  clusterName?: string;
}

/** Returns the event with its metadata completed (a copy; the input is not changed). */
export function checkAndSetEventFields<T extends AuditEventInput>(event: T, defaults: EventDefaults = {}): T {
  const md = { ...(event.Metadata ?? {}) };
  const type = md.Type ?? '';
  if (!type) throw badParameter('event type is empty');
  const uncoded = UNCODED_TYPES.has(type);
  if (!uncoded && !md.Code) throw badParameter(`event ${type} has no code`);
  if (!uncoded && !md.ID) md.ID = (defaults.uid ?? randomUUID)();
  const time = md.Time === undefined ? Timestamp.ZERO : Timestamp.from(md.Time);
  md.Time = time.isZero() ? Timestamp.fromMillis((defaults.now ?? (() => new Date()))().getTime()) : time;
  if (!md.ClusterName && defaults.clusterName) md.ClusterName = defaults.clusterName;
  return { ...event, Metadata: md };
}
