// Benchmark fixtures from the real corpus, scaled by repetition (never random bytes):
//   bulk        - build.typescript's PTY reads (~4 KiB print events) repeated to >= 50 MB of data
//   interactive - typing.typescript as 1-byte print events, repeated to >= 1M events
// Each fixture is a print batch (one data buffer + 8 numbers per event, see lib/codec/print-batch.ts)
// cut into sub-batches of about one compression chunk, plus event objects on demand.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { PrintBatch } from '../lib/codec/codec.js';
import { CHUNK_BYTES } from '../lib/codec/part-format.js';
import { PRINT_FIELDS } from '../lib/codec/print-batch.js';
import type { AuditEventInput } from '../lib/events/event.js';
import { Timestamp } from '../lib/events/timestamp.js';

export const SHARED = join(import.meta.dirname, '..', '..', 'shared');
const START_SECONDS = 1_700_000_000;

export interface PrintFixture {
  readonly name: string;
  readonly events: number;
  readonly dataBytes: number;
  readonly batch: PrintBatch;
  /** Sub-batches of about CHUNK_BYTES of framed records each. */
  readonly batches: PrintBatch[];
  /** The same prints as event objects (for the object-based drivers). */
  objects(): AuditEventInput[];
}

function corpus(name: string): { body: Buffer; sizes: number[]; delays: number[] } {
  const typescript = readFileSync(join(SHARED, 'corpus', `${name}.typescript`));
  const timing = readFileSync(join(SHARED, 'corpus', `${name}.timing`), 'utf8').trim().split('\n');
  const start = typescript.indexOf(0x0a) + 1;
  const sizes = timing.map((l) => Number(l.split(' ')[1]));
  const delays = timing.map((l) => Math.round(Number(l.split(' ')[0]) * 1000));
  const total = sizes.reduce((a, b) => a + b, 0);
  return { body: typescript.subarray(start, start + total), sizes, delays };
}

function makeFixture(name: string, body: Buffer, sizes: number[], delays: number[], repeats: number): PrintFixture {
  const perRound = sizes.length;
  const events = perRound * repeats;
  const data = Buffer.allocUnsafe(body.length * repeats);
  for (let r = 0; r < repeats; r++) body.copy(data, r * body.length);
  const numbers = new Float64Array(events * PRINT_FIELDS);
  let offset = 0;
  let ms = 0;
  for (let i = 0; i < events; i++) {
    const size = sizes[i % perRound];
    ms += delays[i % perRound];
    const n = i * PRINT_FIELDS;
    numbers[n] = size;
    numbers[n + 1] = i + 1; // Metadata.Index (session.start is 0)
    numbers[n + 2] = i; // ChunkIndex
    numbers[n + 3] = size; // Bytes
    numbers[n + 4] = ms; // DelayMilliseconds
    numbers[n + 5] = offset; // Offset
    numbers[n + 6] = START_SECONDS + Math.floor(ms / 1000);
    numbers[n + 7] = (ms % 1000) * 1_000_000;
    offset += size;
  }
  const batch: PrintBatch = { data, numbers, strings: { type: 'print' } };
  const batches: PrintBatch[] = [];
  let first = 0;
  let dataStart = 0;
  let estimate = 0;
  let at = 0;
  for (let i = 0; i < events; i++) {
    const size = numbers[i * PRINT_FIELDS];
    estimate += size + 40;
    at += size;
    if (estimate >= CHUNK_BYTES || i === events - 1) {
      batches.push({ data: data.subarray(dataStart, at), numbers: numbers.subarray(first * PRINT_FIELDS, (i + 1) * PRINT_FIELDS), strings: batch.strings });
      first = i + 1;
      dataStart = at;
      estimate = 0;
    }
  }
  return {
    name,
    events,
    dataBytes: data.length,
    batch,
    batches,
    objects() {
      const out: AuditEventInput[] = new Array(events);
      let at2 = 0;
      for (let i = 0; i < events; i++) {
        const n = i * PRINT_FIELDS;
        out[i] = {
          $type: 'SessionPrint',
          Metadata: { Index: numbers[n + 1], Type: 'print', ID: '', Code: '', Time: new Timestamp(numbers[n + 6], numbers[n + 7]), ClusterName: '' },
          ChunkIndex: numbers[n + 2],
          Data: data.subarray(at2, at2 + numbers[n]),
          Bytes: numbers[n + 3],
          DelayMilliseconds: numbers[n + 4],
          Offset: numbers[n + 5],
        };
        at2 += numbers[n];
      }
      return out;
    },
  };
}

export function bulkFixture(minBytes: number): PrintFixture {
  const { body, sizes, delays } = corpus('build');
  return makeFixture('bulk', body, sizes, delays, Math.ceil(minBytes / body.length));
}

export function interactiveFixture(minEvents: number): PrintFixture {
  const { body, delays } = corpus('typing');
  // One event per byte; the delay of a chunk goes to its first byte.
  const sizes = new Array<number>(body.length).fill(1);
  const byteDelays = new Array<number>(body.length).fill(0);
  const timingSizes = readFileSync(join(SHARED, 'corpus', 'typing.timing'), 'utf8').trim().split('\n').map((l) => Number(l.split(' ')[1]));
  let at = 0;
  timingSizes.forEach((size, i) => {
    byteDelays[at] = delays[i];
    at += size;
  });
  return makeFixture('interactive', body, sizes, byteDelays, Math.ceil(minEvents / body.length));
}
