// Hand-written codec for SessionPrint, the bulk of every terminal recording. Byte-identical to the
// generic descriptor codec (a test checks); anything unusual falls back to the generic path.
import type { AuditEvent, AuditEventInput } from './event.js';
import { EMPTY_BYTES, decodeMessageInto, getMessage, zeroMessage, type MessageValue } from './message-codec.js';
import { Timestamp } from './timestamp.js';
import type { WireReader } from './wire-reader.js';
import type { WireWriter } from './wire-writer.js';

export interface SessionPrintEvent extends AuditEvent {
  $type: 'SessionPrint';
  ChunkIndex: number;
  Data: Uint8Array;
  Bytes: number;
  DelayMilliseconds: number;
  Offset: number;
}

export function isPlainPrint(event: AuditEventInput): boolean {
  const md = event.Metadata as Record<string, unknown> | undefined;
  if (event.$type === undefined ? md?.Type !== 'print' : event.$type !== 'SessionPrint') return false;
  return event.$unknown === undefined && (md === undefined || md.$unknown === undefined);
}

function writeStringField(w: WireWriter, tag: number, value: unknown): void {
  if (typeof value === 'string' && value.length > 0) {
    w.varint(tag);
    w.string(value);
  }
}

function writeIntField(w: WireWriter, tag: number, value: unknown): void {
  if (typeof value === 'number' && value !== 0) {
    w.varint(tag);
    w.int64(value);
  }
}

export function encodePrintBody(w: WireWriter, event: AuditEventInput): void {
  const md = (event.Metadata ?? {}) as Record<string, unknown>;
  w.varint(0x0a);
  const mdStart = w.beginLen();
  writeIntField(w, 0x08, md.Index);
  writeStringField(w, 0x12, md.Type);
  writeStringField(w, 0x1a, md.ID);
  writeStringField(w, 0x22, md.Code);
  const time = md.Time instanceof Timestamp ? md.Time : Timestamp.from(md.Time as never);
  w.varint(0x2a);
  const tStart = w.beginLen();
  if (time.seconds !== 0) {
    w.varint(0x08);
    w.int64(time.seconds);
  }
  if (time.nanos !== 0) {
    w.varint(0x10);
    w.varint(time.nanos);
  }
  w.endLen(tStart);
  writeStringField(w, 0x32, md.ClusterName);
  w.endLen(mdStart);
  writeIntField(w, 0x10, event.ChunkIndex);
  const data = event.Data as Uint8Array | undefined;
  if (data && data.length > 0) {
    w.varint(0x1a);
    w.bytes(data);
  }
  writeIntField(w, 0x20, event.Bytes);
  writeIntField(w, 0x28, event.DelayMilliseconds);
  writeIntField(w, 0x30, event.Offset);
}

function genericPrint(r: WireReader, start: number, end: number): AuditEvent {
  r.pos = start;
  const message = getMessage('SessionPrint');
  const out = { $type: 'SessionPrint', ...zeroMessage(message) } as MessageValue;
  decodeMessageInto(r, message, end, out);
  return out as unknown as AuditEvent;
}

export function decodePrintInto(r: WireReader, end: number): AuditEvent {
  const start = r.pos;
  let index = 0;
  let type = '';
  let id = '';
  let code = '';
  let time = Timestamp.ZERO;
  let cluster = '';
  let chunkIndex = 0;
  let data: Uint8Array = EMPTY_BYTES;
  let bytes = 0;
  let delay = 0;
  let offset = 0;
  while (r.pos < end) {
    const tag = r.buf[r.pos++];
    switch (tag) {
      case 0x0a: {
        const [mdStart, mdEnd] = r.lenRange();
        r.pos = mdStart;
        while (r.pos < mdEnd) {
          const mdTag = r.buf[r.pos++];
          switch (mdTag) {
            case 0x08: index = r.int64(); break;
            case 0x12: type = r.string(); break;
            case 0x1a: id = r.string(); break;
            case 0x22: code = r.string(); break;
            case 0x2a: {
              const [ts, te] = r.lenRange();
              let seconds = 0;
              let nanos = 0;
              r.pos = ts;
              while (r.pos < te) {
                const tt = r.buf[r.pos++];
                if (tt === 0x08) seconds = r.int64();
                else if (tt === 0x10) nanos = r.int32();
                else return genericPrint(r, start, end);
              }
              if (nanos < 0 || nanos >= 1e9 || !Number.isSafeInteger(seconds)) return genericPrint(r, start, end);
              time = seconds === Timestamp.ZERO.seconds && nanos === 0 ? Timestamp.ZERO : new Timestamp(seconds, nanos);
              break;
            }
            case 0x32: cluster = r.string(); break;
            default: return genericPrint(r, start, end);
          }
        }
        break;
      }
      case 0x10: chunkIndex = r.int64(); break;
      case 0x1a: data = r.bytes(); break;
      case 0x20: bytes = r.int64(); break;
      case 0x28: delay = r.int64(); break;
      case 0x30: offset = r.int64(); break;
      default: return genericPrint(r, start, end);
    }
  }
  const event: SessionPrintEvent = {
    $type: 'SessionPrint',
    Metadata: { Index: index, Type: type, ID: id, Code: code, Time: time, ClusterName: cluster },
    ChunkIndex: chunkIndex,
    Data: data,
    Bytes: bytes,
    DelayMilliseconds: delay,
    Offset: offset,
  };
  return event;
}
