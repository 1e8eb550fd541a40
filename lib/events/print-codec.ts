// Hand-written codec for SessionPrint, the bulk of every terminal recording: the event side of
// lib/wire/print-encoder.ts and a fast decoder. Byte-identical to the generic descriptor codec (a
// test checks); anything unusual falls back to the generic path.
import type { AuditEvent, AuditEventInput } from './event.js';
import type { SessionPrint } from './event-types.generated.js';
import { EMPTY_BYTES, decodeMessageInto, getMessage, zeroMessage, type MessageValue } from './message-codec.js';
import { Timestamp } from './timestamp.js';
import type { WireReader } from '../wire/wire-reader.js';
import { copyBytes } from '../wire/byte-slab.js';
import { utf8Slice } from '../wire/fast-buffer.js';
import { ScanField } from '../codec/print-scan.js';
import { encodePrintBody, type PrintFields } from '../wire/print-encoder.js';
import type { WireWriter } from '../wire/wire-writer.js';


export function isPlainPrint(event: AuditEventInput): boolean {
  const md = event.Metadata as Record<string, unknown> | undefined;
  if (event.$type === undefined ? md?.Type !== 'print' : event.$type !== 'SessionPrint') return false;
  return event.$unknown === undefined && (md === undefined || md.$unknown === undefined);
}

// One scratch object: encoding a print allocates nothing.
const scratch: PrintFields = {
  index: 0, type: '', id: '', code: '', seconds: 0, nanos: 0, clusterName: '',
  chunkIndex: 0, data: undefined, bytes: 0, delayMilliseconds: 0, offset: 0,
};

/** Writes a plain SessionPrint event (see isPlainPrint) through the wire layer's print encoder. */
export function encodePrintEvent(w: WireWriter, event: AuditEventInput): void {
  const md = (event.Metadata ?? {}) as Record<string, unknown>;
  const time = md.Time instanceof Timestamp ? md.Time : Timestamp.from(md.Time as never);
  scratch.index = md.Index as number;
  scratch.type = md.Type as string;
  scratch.id = md.ID as string;
  scratch.code = md.Code as string;
  scratch.seconds = time.seconds;
  scratch.nanos = time.nanos;
  scratch.clusterName = md.ClusterName as string;
  scratch.chunkIndex = event.ChunkIndex as number;
  scratch.data = event.Data as Uint8Array | undefined;
  scratch.bytes = event.Bytes as number;
  scratch.delayMilliseconds = event.DelayMilliseconds as number;
  scratch.offset = event.Offset as number;
  try {
    encodePrintBody(w, scratch);
  } finally {
    scratch.data = undefined; // do not keep the caller's bytes alive
  }
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
  const event: SessionPrint = {
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

/** The strings of the print read last by printFromScan, reused while the bytes stay the same. */
export type ScanStrings = [type: string, id: string, code: string, clusterName: string];

export function newScanStrings(): ScanStrings {
  return ['', '', '', ''];
}

/**
 * The SessionPrint event of one record read by SliceCodec.scanPrints: `numbers[at ...]` are its
 * SCAN_FIELDS numbers, `data` the part. The same event decodePrintInto builds from the record
 * (test/codec/scan-prints.test.ts). `strings` carries the strings from record to record.
 */
export function printFromScan(data: Buffer, numbers: Float64Array, at: number, shareBytes: boolean, strings: ScanStrings): AuditEvent {
  const same = numbers[at + ScanField.SameStrings];
  for (let s = 0; s < 4; s++) {
    if (same & (1 << s)) continue;
    const start = numbers[at + ScanField.TypeStart + s * 2];
    const end = numbers[at + ScanField.TypeStart + s * 2 + 1];
    strings[s] = start === end ? '' : utf8Slice(data, start, end);
  }
  const dataStart = numbers[at + ScanField.DataStart];
  const dataEnd = numbers[at + ScanField.DataEnd];
  let bytes: Uint8Array = EMPTY_BYTES;
  if (dataStart >= 0) bytes = shareBytes ? data.subarray(dataStart, dataEnd) : copyBytes(data, dataStart, dataEnd);
  let time = Timestamp.ZERO;
  if (numbers[at + ScanField.HasTime] === 1) {
    const seconds = numbers[at + ScanField.TimeSeconds];
    const nanos = numbers[at + ScanField.TimeNanos];
    if (seconds !== Timestamp.ZERO.seconds || nanos !== 0) time = new Timestamp(seconds, nanos);
  }
  const event: SessionPrint = {
    $type: 'SessionPrint',
    Metadata: { Index: numbers[at + ScanField.Index], Type: strings[0], ID: strings[1], Code: strings[2], Time: time, ClusterName: strings[3] },
    ChunkIndex: numbers[at + ScanField.ChunkIndex],
    Data: bytes,
    Bytes: numbers[at + ScanField.Bytes],
    DelayMilliseconds: numbers[at + ScanField.DelayMilliseconds],
    Offset: numbers[at + ScanField.Offset],
  };
  return event;
}
