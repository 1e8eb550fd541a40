// Preparer: stamps session events before they are recorded (Teleport's events.Preparer): event
// defaults, the session and server ids, a per-session index 0, 1, 2, ... and, for print events,
// the byte offset, the delay since the first print and the chunk index.
import { badParameter } from '../errors.js';
import { checkOptions, type OptionsSchema } from '../options.js';
import type { PrintStrings } from '../codec/codec.js';
import type { PrintSink } from '../codec/print-batch-builder.js';
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

const PREPARER_OPTIONS: OptionsSchema<PreparerOptions> = {
  sessionId: { kind: 'string', nonEmpty: true, required: true },
  serverId: { kind: 'string' },
  namespace: { kind: 'string' },
  clusterName: { kind: 'string' },
  now: { kind: 'function' },
  uid: { kind: 'function' },
  startIndex: { kind: 'integer', min: 0 },
};

export interface SessionEventPreparer {
  prepareSessionEvent(event: AuditEventInput): AuditEvent;
}

/** A preparer that can also stamp terminal output as a whole batch of prints (no object per print). */
export interface PrintBatchPreparer extends SessionEventPreparer {
  /** The strings shared by every print it stamps (PrintBatch.strings). */
  readonly printStrings: PrintStrings;
  /**
   * Stamps `data` as print events of at most `maxBytes` bytes each, appended to `into`, exactly as
   * prepareSessionEvent stamps the same prints one by one. With `into` null the prints are only
   * numbered (they are lost). Returns how many prints there were.
   */
  preparePrints(data: Uint8Array, time: Timestamp, maxBytes: number, into: PrintSink | null): number;
}

export function canPreparePrints(preparer: SessionEventPreparer): preparer is PrintBatchPreparer {
  return typeof (preparer as Partial<PrintBatchPreparer>).preparePrints === 'function';
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

export class Preparer implements PrintBatchPreparer {
  readonly printStrings: PrintStrings;
  private nextIndex: number;
  private lastPrint: LastPrint | null = null;

  constructor(private readonly options: PreparerOptions) {
    checkOptions<PreparerOptions>('Preparer', options, PREPARER_OPTIONS);
    this.nextIndex = options.startIndex ?? 0;
    this.printStrings = { type: 'print', id: '', code: '', clusterName: options.clusterName ?? '' };
  }

  preparePrints(data: Uint8Array, time: Timestamp, maxBytes: number, into: PrintSink | null): number {
    if (!(maxBytes >= 1)) throw badParameter(`maxBytes must be at least 1, got ${maxBytes}`);
    // As checkAndSetEventFields does for an event without a time.
    const at = time.isZero() ? Timestamp.fromMillis((this.options.now ?? (() => new Date()))().getTime()) : time;
    let count = 0;
    for (let pos = 0; pos < data.length; pos += maxBytes) {
      const chunk = data.length <= maxBytes ? data : data.subarray(pos, pos + maxBytes);
      const index = this.nextIndex++;
      const print = this.nextPrint(at, chunk.length);
      into?.push(chunk, index, print.chunkIndex, print.delay, print.offset, at.seconds, at.nanos);
      count++;
    }
    return count;
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
    const print = this.nextPrint(event.Metadata!.Time as Timestamp, data.length);
    event.Bytes = data.length;
    event.Offset = print.offset;
    event.DelayMilliseconds = print.delay;
    event.ChunkIndex = print.chunkIndex;
  }

  /** Offset, delay and chunk index of the next print (Teleport's preparer); remembers it. */
  private nextPrint(time: Timestamp, length: number): LastPrint {
    const last = this.lastPrint;
    if (!last) {
      this.lastPrint = { offset: 0, length, time, delay: 0, chunkIndex: 0 };
      return this.lastPrint;
    }
    // Updated in place: a session of one-byte prints makes no object per print.
    last.offset += last.length;
    last.delay += Math.max(0, Math.trunc((time.seconds - last.time.seconds) * 1000 + (time.nanos - last.time.nanos) / 1e6));
    last.chunkIndex++;
    last.length = length;
    last.time = time;
    return last;
  }
}

/** Leaves events as they are (the seed's NoOpPreparer); still types them. */
export class NoOpPreparer implements SessionEventPreparer {
  prepareSessionEvent(event: AuditEventInput): AuditEvent {
    return (event.$type ? event : { ...event, $type: messageOf(event) }) as AuditEvent;
  }
}
