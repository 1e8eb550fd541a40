// Teleport's pagination key of an event (FileLog's checkpoint): its `uid`, else the hex SHA-256 of
// its FastMarshal JSON line.
import { createHash } from 'node:crypto';
import type { AuditEvent } from '../events/event.js';
import { eventJsonLine } from './event-json.js';

export function checkpointOf(event: AuditEvent): string {
  const id = event.Metadata?.ID;
  if (id) return id;
  return createHash('sha256').update(eventJsonLine(event)).digest('hex');
}
