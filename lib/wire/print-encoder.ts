// The protobuf body of a SessionPrint, the bulk of every terminal recording, from plain numbers and
// strings. Both the event codec (lib/events) and the print batch framer (lib/codec) write prints
// through it, so the two paths are byte-identical by construction. Field numbers: proto/events.proto.
import type { WireWriter } from './wire-writer.js';

/** One print, flat: the Metadata fields, the time as seconds + nanos, and the print's own fields. */
export interface PrintFields {
  index: number;
  type: string;
  id: string;
  code: string;
  seconds: number;
  nanos: number;
  clusterName: string;
  chunkIndex: number;
  data: Uint8Array | undefined;
  bytes: number;
  delayMilliseconds: number;
  offset: number;
}

function writeString(w: WireWriter, tag: number, value: unknown): void {
  if (typeof value === 'string' && value.length > 0) {
    w.varint(tag);
    w.string(value);
  }
}

function writeInt(w: WireWriter, tag: number, value: unknown): void {
  if (typeof value === 'number' && value !== 0) {
    w.varint(tag);
    w.int64(value);
  }
}

export function encodePrintBody(w: WireWriter, p: PrintFields): void {
  w.varint(0x0a);
  const mdStart = w.beginLen();
  writeInt(w, 0x08, p.index);
  writeString(w, 0x12, p.type);
  writeString(w, 0x1a, p.id);
  writeString(w, 0x22, p.code);
  w.varint(0x2a);
  const tStart = w.beginLen();
  if (p.seconds !== 0) {
    w.varint(0x08);
    w.int64(p.seconds);
  }
  if (p.nanos !== 0) {
    w.varint(0x10);
    w.varint(p.nanos);
  }
  w.endLen(tStart);
  writeString(w, 0x32, p.clusterName);
  w.endLen(mdStart);
  writeInt(w, 0x10, p.chunkIndex);
  const data = p.data;
  if (data && data.length > 0) {
    w.varint(0x1a);
    w.bytes(data);
  }
  writeInt(w, 0x20, p.bytes);
  writeInt(w, 0x28, p.delayMilliseconds);
  writeInt(w, 0x30, p.offset);
}
