// One recording record = one events.OneOf message: a single length-delimited field whose number
// names the event's message (print = 7, session.start = 5, ...). This is the seed's ToOneOf/FromOneOf.
import { badParameter, corrupted } from '../errors.js';
import {
  type AuditEvent, type AuditEventInput, type OpaqueEvent, isOpaqueEvent, messageOf, oneofByMessage, oneofByNumber,
} from './event.js';
import type { OpaqueEventName } from './event-types.generated.js';
import {
  checkFieldNames, decodeMessageInto, encodeMessage, getMessage, zeroMessage, type MessageValue,
} from './message-codec.js';
import { decodePrintInto, encodePrintEvent, isPlainPrint } from './print-codec.js';
import { WireReader } from '../wire/wire-reader.js';
import { WIRE_LEN, WireWriter } from '../wire/wire-writer.js';

const PRINT_ONEOF = 7;

/** Appends the OneOf record of `event` to `w`. */
export function writeEvent(w: WireWriter, event: AuditEventInput): void {
  if (isOpaqueEvent(event)) {
    w.tag(event.$oneof, WIRE_LEN);
    w.bytes(event.$raw);
    return;
  }
  const message = messageOf(event);
  const compiled = getMessage(message);
  checkFieldNames(compiled, event as MessageValue);
  if (isPlainPrint(event)) {
    w.tag(PRINT_ONEOF, WIRE_LEN);
    const start = w.beginLen();
    encodePrintEvent(w, event);
    w.endLen(start);
    return;
  }
  const number = oneofByMessage.get(message);
  if (number === undefined) throw badParameter(`message ${message} has no OneOf number`);
  w.tag(number, WIRE_LEN);
  const start = w.beginLen();
  encodeMessage(w, compiled, event as MessageValue);
  w.endLen(start);
}

const scratch = new WireWriter(70 * 1024);

/** The OneOf record bytes of one event (a fresh copy). */
export function encodeEvent(event: AuditEventInput): Uint8Array {
  scratch.reset();
  writeEvent(scratch, event);
  return scratch.finish();
}

export interface DecodeOptions {
  /** Bytes fields (print data) as views into `bytes` rather than copies. */
  shareBytes?: boolean;
}

/** Decodes one OneOf record. Unknown OneOf numbers come back as an OpaqueEvent. */
export function decodeEvent(bytes: Uint8Array, start = 0, end = bytes.length, options?: DecodeOptions): AuditEvent {
  const r = new WireReader(bytes, start, end, options?.shareBytes ?? false);
  let event: AuditEvent | undefined;
  while (r.pos < r.end) {
    const tag = r.varint();
    const number = Math.floor(tag / 8);
    if ((tag & 7) !== WIRE_LEN || number === 0) {
      r.skip(tag & 7);
      continue;
    }
    const [bodyStart, bodyEnd] = r.lenRange();
    event = decodeBody(r, number, bodyStart, bodyEnd);
    r.pos = bodyEnd;
  }
  if (!event) throw corrupted('failed to parse event, session record is corrupted: the record holds no event');
  return event;
}

function decodeBody(r: WireReader, number: number, start: number, end: number): AuditEvent {
  r.pos = start;
  if (number === PRINT_ONEOF) return decodePrintInto(r, end);
  const entry = oneofByNumber.get(number);
  if (entry?.message) {
    const message = getMessage(entry.message);
    const out = { $type: entry.message, ...zeroMessage(message) } as MessageValue;
    decodeMessageInto(r, message, end, out);
    return out as unknown as AuditEvent;
  }
  // Not described by our schema: keep the bytes; read Metadata (field 1 of every event) if it parses.
  const raw = Uint8Array.prototype.slice.call(r.buf, start, end);
  const metadataMessage = getMessage('Metadata');
  let metadata = zeroMessage(metadataMessage);
  try {
    const inner = new WireReader(raw);
    while (inner.pos < inner.end) {
      const tag = inner.varint();
      if (tag === 0x0a) {
        const [s, e] = inner.lenRange();
        inner.pos = s;
        metadata = decodeMessageInto(inner, metadataMessage, e, zeroMessage(metadataMessage));
        break;
      }
      inner.skip(tag & 7);
    }
  } catch {
    metadata = zeroMessage(metadataMessage);
  }
  const opaque: OpaqueEvent = {
    $type: (entry?.name ?? `OneOf#${number}`) as OpaqueEventName,
    $oneof: number,
    $raw: raw,
    Metadata: metadata as unknown as OpaqueEvent['Metadata'],
  };
  return opaque;
}
