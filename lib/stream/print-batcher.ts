// Records a sequence of events into a stream with the print fast path: runs of plain print events
// (as importers make them) go as print batches, everything else one by one, in order. The
// recording is the same as recordEvent on each event (ProtoStream.recordPrintBatch's contract).
import type { PrintStrings } from '../codec/codec.js';
import { PrintBatchBuilder } from '../codec/print-batch-builder.js';
import { MAX_RECORD_BYTES } from '../codec/part-format.js';
import type { AuditEventInput } from '../events/event.js';
import { Timestamp } from '../events/timestamp.js';
import type { AuditStream } from './streamer.js';

/** Data bytes gathered before a batch is sent. */
const BATCH_DATA_BYTES = 1024 * 1024;
/** A print this large may need trimming: it goes by recordEvent, which trims. */
const MAX_BATCHED_PRINT = MAX_RECORD_BYTES - 1024;
const RESOLVED = Promise.resolve();

const PRINT_KEYS = new Set(['$type', 'Metadata', 'ChunkIndex', 'Data', 'Bytes', 'DelayMilliseconds', 'Offset']);
const METADATA_KEYS = new Set(['Index', 'Type', 'ID', 'Code', 'Time', 'ClusterName']);

const isInteger = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v);
const isText = (v: unknown): boolean => v === undefined || typeof v === 'string';

/** A SessionPrint whose every field a print batch can carry as it is. */
function isPlainPrint(event: AuditEventInput): boolean {
  const md = event.Metadata;
  if (!md || md.Type !== 'print' || (event.$type !== undefined && event.$type !== 'SessionPrint')) return false;
  const data = event.Data;
  if (!(data instanceof Uint8Array) || data.length > MAX_BATCHED_PRINT || event.Bytes !== data.length) return false;
  if (!isInteger(md.Index ?? 0) || !(md.Time instanceof Timestamp) || !isText(md.ID) || !isText(md.Code) || !isText(md.ClusterName)) return false;
  if (!isInteger(event.ChunkIndex ?? 0) || !isInteger(event.DelayMilliseconds ?? 0) || !isInteger(event.Offset ?? 0)) return false;
  for (const key in event) if (!PRINT_KEYS.has(key)) return false;
  for (const key in md) if (!METADATA_KEYS.has(key)) return false;
  return true;
}

function sameStrings(a: PrintStrings, md: NonNullable<AuditEventInput['Metadata']>): boolean {
  return a.id === (md.ID ?? '') && a.code === (md.Code ?? '') && a.clusterName === (md.ClusterName ?? '');
}

export interface PrintBatcherOptions {
  /**
   * Keep prints' data that follows on in one buffer as views rather than copies (see
   * PrintBatchBuilderOptions.borrowData): the caller does not change event data until flush().
   */
  borrowData?: boolean;
}

export class PrintBatcher {
  private builder: PrintBatchBuilder | null = null;
  private dataBytes = 0;

  constructor(private readonly stream: AuditStream, private readonly options: PrintBatcherOptions = {}) {}

  /** Records one event (a print may wait in the batch until flush or a later event). */
  record(event: AuditEventInput): Promise<void> {
    if (!isPlainPrint(event)) {
      const sent = this.flush();
      return sent === RESOLVED ? this.stream.recordEvent(event) : sent.then(() => this.stream.recordEvent(event));
    }
    const md = event.Metadata!;
    let sent = RESOLVED;
    if (this.builder && !sameStrings(this.builder.strings, md)) sent = this.flush();
    const data = event.Data as Uint8Array;
    const time = md.Time as Timestamp;
    this.builder ??= new PrintBatchBuilder({ type: 'print', id: md.ID ?? '', code: md.Code ?? '', clusterName: md.ClusterName ?? '' },
      1024, BATCH_DATA_BYTES + MAX_BATCHED_PRINT, this.options);
    const number = (v: unknown) => (v as number | undefined) ?? 0;
    this.builder.push(data, md.Index ?? 0, number(event.ChunkIndex), number(event.DelayMilliseconds), number(event.Offset), time.seconds, time.nanos);
    this.dataBytes += data.length;
    if (this.dataBytes >= BATCH_DATA_BYTES) return sent === RESOLVED ? this.flush() : sent.then(() => this.flush());
    return sent;
  }

  /** Sends the prints gathered so far. */
  flush(): Promise<void> {
    const builder = this.builder;
    if (!builder) return RESOLVED;
    this.builder = null;
    this.dataBytes = 0;
    return this.stream.recordPrintBatch(builder.batch());
  }
}
