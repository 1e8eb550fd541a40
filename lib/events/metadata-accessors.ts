// The seed's ServerMetadataGetter / ServerMetadataSetter / SessionMetadataGetter /
// SessionMetadataSetter. Teleport's events get these methods from their embedded ServerMetadata,
// SessionMetadata and Metadata; auditcast's events are plain objects, so `eventMetadata(event)`
// gives the same methods over the event's embedded messages (found through the schema, whatever
// the field is called: Server, Session, ...). Events without the message read '' and ignore sets.
import type { AuditEventInput } from './event.js';
import { embedded, embeddedField } from './event-getters.js';

export interface ServerMetadataGetter {
  getServerID(): string;
  getServerNamespace(): string;
  getClusterName(): string;
  getForwardedBy(): string;
}

export interface ServerMetadataSetter {
  setServerID(id: string): void;
  setServerNamespace(namespace: string): void;
}

export interface SessionMetadataGetter {
  getSessionID(): string;
}

export interface SessionMetadataSetter {
  setSessionID(id: string): void;
  setClusterName(name: string): void;
}

export type EventMetadataAccessors = ServerMetadataGetter & ServerMetadataSetter & SessionMetadataGetter & SessionMetadataSetter;

function text(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

/** Sets `key` of the embedded message `ref` (a copy, so a message shared between events is not changed). */
function setEmbedded(event: AuditEventInput, ref: string, key: string, value: string): void {
  const name = embeddedField(event, ref);
  if (name === undefined) return;
  const record = event as Record<string, unknown>;
  record[name] = { ...(record[name] as object | undefined), [key]: value };
}

/** The seed's metadata getters and setters over one event object (sets change the event). */
export function eventMetadata(event: AuditEventInput): EventMetadataAccessors {
  return {
    getServerID: () => text(embedded(event, 'ServerMetadata')?.ServerID),
    getServerNamespace: () => text(embedded(event, 'ServerMetadata')?.ServerNamespace),
    getForwardedBy: () => text(embedded(event, 'ServerMetadata')?.ForwardedBy),
    getClusterName: () => text(event.Metadata?.ClusterName),
    getSessionID: () => text(embedded(event, 'SessionMetadata')?.SessionID),
    setServerID: (id) => setEmbedded(event, 'ServerMetadata', 'ServerID', id),
    setServerNamespace: (namespace) => setEmbedded(event, 'ServerMetadata', 'ServerNamespace', namespace),
    setSessionID: (id) => setEmbedded(event, 'SessionMetadata', 'SessionID', id),
    setClusterName: (name) => {
      (event as Record<string, unknown>).Metadata = { ...event.Metadata, ClusterName: name };
    },
  };
}
