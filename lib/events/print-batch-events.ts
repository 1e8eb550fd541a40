// The prints of a PrintBatch as event objects, for code that must see them one by one (test hooks
// such as CallbackStreamer's onRecordEvent). The fast path itself never builds them.
import type { PrintBatch } from '../codec/codec.js';
import { PRINT_FIELDS, PrintField, printStrings } from '../codec/print-batch.js';
import type { AuditEventInput } from './event.js';
import { Timestamp } from './timestamp.js';
/** The prints of a batch as event objects (for code that needs them one by one, such as test hooks). */
export function printBatchEvents(batch: PrintBatch): AuditEventInput[] {
  const [type, id, code, clusterName] = printStrings(batch.strings);
  const events: AuditEventInput[] = [];
  let at = 0;
  for (let n = 0; n < batch.numbers.length; n += PRINT_FIELDS) {
    const length = batch.numbers[n + PrintField.DataLength];
    events.push({
      $type: 'SessionPrint',
      Metadata: {
        Index: batch.numbers[n + PrintField.Index], Type: type, ID: id, Code: code, ClusterName: clusterName,
        Time: new Timestamp(batch.numbers[n + PrintField.TimeSeconds], batch.numbers[n + PrintField.TimeNanos]),
      },
      ChunkIndex: batch.numbers[n + PrintField.ChunkIndex],
      Data: batch.data.subarray(at, at + length),
      Bytes: batch.numbers[n + PrintField.Bytes],
      DelayMilliseconds: batch.numbers[n + PrintField.DelayMilliseconds],
      Offset: batch.numbers[n + PrintField.Offset],
    });
    at += length;
  }
  return events;
}
