// Preparer: stamps session events before they are recorded (Teleport's events.Preparer): event
// defaults, the session and server ids, a per-session index 0, 1, 2, ... and, for print events,
// the byte offset, the delay since the first print and the chunk index.
import { badParameter } from '../errors.js';
import { checkAndSetEventFields } from './event-defaults.js';
import { type AuditEvent, type AuditEventInput, type EventInputObject, messageOf } from './event.js';
import { checkFieldNames, getMessage } from './message-codec.js';
import { Timestamp } from './timestamp.js';

export interface PreparerOptions {
  sessionId: string;
  serverId?: string;
  namespace?: string;
  clusterName?: string;
  now?: () => Date;
  uid?: () => string;
  /** First index to give (a resumed session continues its numbering). */
  startIndex?: number;
}

export interface SessionEventPreparer {
  prepareSessionEvent(event: AuditEventInput): AuditEvent;
}

interface LastPrint {
  offset: number;
  length: number;
  time: Timestamp;
  delay: number;
  chunkIndex: number;
}

/** Names of the fields holding an embedded message of type `ref`, per message (cached). */
const fieldCache = new Map<string, string[]>();
function fieldsOfType(message: string, ref: string): string[] {
  const key = `${message}/${ref}`;
  let names = fieldCache.get(key);
  if (!names) {
    names = getMessage(message).fields.filter((f) => f.kind === 'message' && f.ref === ref && !f.repeated).map((f) => f.name);
    fieldCache.set(key, names);
  }
  return names;
}

export class Preparer implements SessionEventPreparer {
  private nextIndex: number;
  private lastPrint: LastPrint | null = null;

  constructor(private readonly options: PreparerOptions) {
    if (!options.sessionId) throw badParameter('Preparer needs a sessionId');
    this.nextIndex = options.startIndex ?? 0;
  }

  prepareSessionEvent(input: AuditEventInput): AuditEvent {
    const o = this.options;
    const event = checkAndSetEventFields(input, { now: o.now, uid: o.uid, clusterName: o.clusterName }) as EventInputObject;
    const message = messageOf(event);
    // Before stamping: a misplaced field (SessionMetadata instead of Session) is an error here,
    // not an event recorded with an empty session id.
    checkFieldNames(getMessage(message), event);
    if (!event.$type) event.$type = message;
    for (const name of fieldsOfType(message, 'SessionMetadata')) {
      event[name] = { ...(event[name] as object), SessionID: o.sessionId };
    }
    if (o.serverId !== undefined || o.namespace !== undefined) {
      for (const name of fieldsOfType(message, 'ServerMetadata')) {
        const server = { ...(event[name] as Record<string, unknown>) };
        if (o.namespace !== undefined) server.ServerNamespace = o.namespace;
        if (o.serverId !== undefined) server.ServerID = o.serverId;
        event[name] = server;
      }
    }
    const md = event.Metadata as AuditEvent['Metadata'];
    md.Index = this.nextIndex++;
    if (message === 'SessionPrint') this.preparePrint(event);
    return event as AuditEvent;
  }

  private preparePrint(event: EventInputObject): void {
    const data = (event.Data as Uint8Array | undefined) ?? new Uint8Array(0);
    const time = event.Metadata!.Time as Timestamp;
    let offset = 0;
    let delay = 0;
    let chunkIndex = 0;
    const last = this.lastPrint;
    if (last) {
      offset = last.offset + last.length;
      delay = Math.max(0, Math.trunc((time.seconds - last.time.seconds) * 1000 + (time.nanos - last.time.nanos) / 1e6)) + last.delay;
      chunkIndex = last.chunkIndex + 1;
    }
    event.Bytes = data.length;
    event.Offset = offset;
    event.DelayMilliseconds = delay;
    event.ChunkIndex = chunkIndex;
    this.lastPrint = { offset, length: data.length, time, delay, chunkIndex };
  }
}

/** Leaves events as they are (the seed's NoOpPreparer); still types them. */
export class NoOpPreparer implements SessionEventPreparer {
  prepareSessionEvent(event: AuditEventInput): AuditEvent {
    return (event.$type ? event : { ...event, $type: messageOf(event) }) as AuditEvent;
  }
}
