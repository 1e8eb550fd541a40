// The print fast path's batch layout, its errors (one place, both backends) and the JS encoder.
// The JS encoder reuses lib/wire's encodePrintBody, so it is byte-identical to writeEvent() by construction;
// the native framer (native/core/print_framer.cc) is checked against it in test/codec.
import { badParameter, type AuditcastError } from '../errors.js';
import { encodePrintBody, type PrintFields } from '../wire/print-encoder.js';
import { WireWriter } from '../wire/wire-writer.js';
import type { PrintBatch, PrintStrings } from './codec.js';
import { MAX_RECORD_BYTES, RECORD_HEADER_SIZE } from './part-format.js';

/** Numbers per print in PrintBatch.numbers. */
export const PRINT_FIELDS = 8;

/** Where each number of a print sits in PrintBatch.numbers. */
export const enum PrintField {
  DataLength = 0,
  Index = 1,
  ChunkIndex = 2,
  Bytes = 3,
  DelayMilliseconds = 4,
  Offset = 5,
  TimeSeconds = 6,
  TimeNanos = 7,
}

const FIELD_NAMES = ['data length', 'Index', 'ChunkIndex', 'Bytes', 'DelayMilliseconds', 'Offset', 'Time seconds', 'Time nanos'];

/** Failure kinds of framePrints; native/core/print_framer.h uses the same numbers. */
export const enum PrintStatus {
  OK = 0,
  BAD_NUMBER = 1,
  DATA_OVERRUN = 2,
  RECORD_TOO_LARGE = 3,
  DATA_LEFT = 4,
}

/** The one place framePrints failures become errors. */
export function printBatchError(status: number, event: number, field: number, value: number, dataLength: number): AuditcastError {
  switch (status) {
    case PrintStatus.BAD_NUMBER:
      return badParameter(`print ${event}: ${FIELD_NAMES[field]} must be ${field === PrintField.TimeNanos ? 'an integer from 0 to 999999999' : field === PrintField.DataLength ? 'a non-negative safe integer' : 'a safe integer'}, got ${value}`);
    case PrintStatus.DATA_OVERRUN:
      return badParameter(`print ${event}: the data lengths add up to more than the ${dataLength} data bytes`);
    case PrintStatus.RECORD_TOO_LARGE:
      return badParameter(`print ${event}: record size ${value} exceeds max message size of ${MAX_RECORD_BYTES} bytes`);
    case PrintStatus.DATA_LEFT:
      return badParameter(`the data lengths add up to ${dataLength - value} of the ${dataLength} data bytes`);
    default:
      return badParameter(`unknown print batch status ${status}`);
  }
}

/** The batch's shared strings as [type, id, code, clusterName]. */
export function printStrings(strings: PrintStrings | undefined): [string, string, string, string] {
  const s = strings ?? {};
  const list: [string, string, string, string] = [s.type ?? 'print', s.id ?? '', s.code ?? '', s.clusterName ?? ''];
  for (const value of list) if (typeof value !== 'string') throw badParameter('print batch strings must be strings');
  return list;
}

export function checkPrintBatch(batch: PrintBatch): void {
  if (!(batch?.data instanceof Uint8Array)) throw badParameter('print batch data must be a Uint8Array');
  if (!(batch.numbers instanceof Float64Array) || batch.numbers.length % PRINT_FIELDS !== 0) {
    throw badParameter(`print batch numbers must be a Float64Array of ${PRINT_FIELDS} numbers per print`);
  }
}

/** framePrints' `ends`, when given, must have room for every print. */
export function checkEnds(batch: PrintBatch, ends: Uint32Array | undefined): void {
  if (ends === undefined) return;
  if (!(ends instanceof Uint32Array) || ends.length < batch.numbers.length / PRINT_FIELDS) {
    throw badParameter(`print batch ends must be a Uint32Array of at least ${batch.numbers.length / PRINT_FIELDS} entries`);
  }
}

function badNumber(value: number, field: number): boolean {
  if (!Number.isSafeInteger(value)) return true;
  if (field === PrintField.DataLength) return value < 0;
  if (field === PrintField.TimeNanos) return value < 0 || value >= 1e9;
  return false;
}

let writer = new WireWriter(1 << 16);

/** framePrints on the pure-JS backend. */
export function framePrintsJs(batch: PrintBatch, ends?: Uint32Array): Uint8Array {
  checkPrintBatch(batch);
  checkEnds(batch, ends);
  const { data, numbers } = batch;
  const [type, id, code, clusterName] = printStrings(batch.strings);
  const count = numbers.length / PRINT_FIELDS;
  const print: PrintFields = {
    index: 0, type, id, code, seconds: 0, nanos: 0, clusterName,
    chunkIndex: 0, data: undefined, bytes: 0, delayMilliseconds: 0, offset: 0,
  };
  const w = writer;
  w.reset();
  let at = 0;
  for (let i = 0; i < count; i++) {
    const n = i * PRINT_FIELDS;
    for (let f = 0; f < PRINT_FIELDS; f++) {
      if (badNumber(numbers[n + f], f)) throw printBatchError(PrintStatus.BAD_NUMBER, i, f, numbers[n + f], data.length);
    }
    const length = numbers[n];
    if (length > data.length - at) throw printBatchError(PrintStatus.DATA_OVERRUN, i, 0, 0, data.length);
    print.index = numbers[n + PrintField.Index];
    print.seconds = numbers[n + PrintField.TimeSeconds];
    print.nanos = numbers[n + PrintField.TimeNanos];
    print.chunkIndex = numbers[n + PrintField.ChunkIndex];
    print.data = data.subarray(at, at + length);
    print.bytes = numbers[n + PrintField.Bytes];
    print.delayMilliseconds = numbers[n + PrintField.DelayMilliseconds];
    print.offset = numbers[n + PrintField.Offset];
    at += length;
    const frameAt = w.pos;
    w.ensure(RECORD_HEADER_SIZE);
    w.pos += RECORD_HEADER_SIZE;
    w.varint(0x3a); // OneOf field 7: SessionPrint
    const start = w.beginLen();
    encodePrintBody(w, print);
    w.endLen(start);
    const record = w.pos - frameAt - RECORD_HEADER_SIZE;
    if (record > MAX_RECORD_BYTES) throw printBatchError(PrintStatus.RECORD_TOO_LARGE, i, 0, record, data.length);
    w.buf.writeUInt32BE(record, frameAt);
    if (ends) ends[i] = w.pos;
  }
  if (at !== data.length) throw printBatchError(PrintStatus.DATA_LEFT, count, 0, data.length - at, data.length);
  const out = w.finish();
  // Do not keep a huge scratch buffer alive after one big batch.
  if (w.buf.length > 1 << 24) writer = new WireWriter(1 << 16);
  return out;
}

/** Prints [from, to) of a batch, as views of its memory. */
export function slicePrintBatch(batch: PrintBatch, from: number, to = batch.numbers.length / PRINT_FIELDS): PrintBatch {
  let start = 0;
  for (let i = 0; i < from; i++) start += batch.numbers[i * PRINT_FIELDS + PrintField.DataLength];
  let end = start;
  for (let i = from; i < to; i++) end += batch.numbers[i * PRINT_FIELDS + PrintField.DataLength];
  return { data: batch.data.subarray(start, end), numbers: batch.numbers.subarray(from * PRINT_FIELDS, to * PRINT_FIELDS), strings: batch.strings };
}

