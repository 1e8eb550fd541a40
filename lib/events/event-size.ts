// The size of an event as Teleport counts it: the protobuf size of the event message itself
// (Go's event.Size()), not of the OneOf record around it. MaxProtoMessageSizeBytes (64 KiB)
// applies to this number.
import type { AuditEventInput } from './event.js';
import { writeEvent } from './oneof.js';
import { WireWriter } from '../wire/wire-writer.js';

const scratch = new WireWriter(70 * 1024);

function readVarint(buf: Uint8Array, pos: number): [value: number, next: number] {
  let value = 0;
  let factor = 1;
  for (;;) {
    const b = buf[pos++]!;
    value += (b & 0x7f) * factor;
    if (b < 0x80) return [value, pos];
    factor *= 128;
  }
}

/** The marshaled size in bytes of the event message (without the OneOf tag and length). */
export function eventSize(event: AuditEventInput): number {
  scratch.reset();
  writeEvent(scratch, event);
  const [, afterTag] = readVarint(scratch.buf, 0);
  const [length] = readVarint(scratch.buf, afterTag);
  return length;
}
