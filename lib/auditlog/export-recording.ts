// Export: a recording as JSON lines in Teleport's JSON form (`tsh play --format=json`). A legacy
// (pre-4.4) tarball gets Teleport's answer: extract it and look inside.
import { once } from 'node:events';
import type { Writable } from 'node:stream';
import { AuditcastError, badParameter } from '../errors.js';
import { detectFormat } from '../stream/detect-format.js';
import { ProtoReader } from '../stream/proto-reader.js';
import type { RecordingSource } from '../stream/byte-source.js';
import { eventJsonLine } from './event-json.js';

export type ExportFormat = 'json';

const HEAD_BYTES = 512;
const FLUSH_BYTES = 64 * 1024;

/** The first `n` bytes of a source and an iterable that yields the whole source again. */
async function peek(source: RecordingSource, n: number): Promise<{ head: Uint8Array; whole: RecordingSource }> {
  if (source instanceof Uint8Array) return { head: source.subarray(0, n), whole: source };
  const iterator = (source as AsyncIterable<Uint8Array>)[Symbol.asyncIterator]();
  const buffered: Uint8Array[] = [];
  let size = 0;
  let done = false;
  while (size < n) {
    const next = await iterator.next();
    if (next.done) { done = true; break; }
    const chunk = typeof next.value === 'string' ? Buffer.from(next.value) : next.value;
    buffered.push(chunk);
    size += chunk.length;
  }
  const head = Buffer.concat(buffered).subarray(0, n);
  async function* whole(): AsyncGenerator<Uint8Array> {
    yield* buffered;
    if (done) return;
    for (;;) {
      const next = await iterator.next();
      if (next.done) return;
      yield next.value;
    }
  }
  return { head, whole: whole() };
}

async function write(writable: Writable, text: string): Promise<void> {
  if (!writable.write(text)) await once(writable, 'drain');
}

/** Writes one JSON line per event of the recording to `writable` (Teleport's Export). */
export async function exportRecording(source: RecordingSource, writable: Writable, format: string = 'json', options: { signal?: AbortSignal } = {}): Promise<number> {
  if (format !== 'json') throw badParameter(`unsupported format ${JSON.stringify(format)}, "json" is the only supported format`);
  const { head, whole } = await peek(source, HEAD_BYTES);
  if (head.length === 0) return 0;
  const detected = detectFormat(head);
  if (detected.format === 'legacy-tar') {
    throw new AuditcastError('UNSUPPORTED', 'to review the events in format of Teleport before version 4.4, extract the tarball and look inside');
  }
  const reader = new ProtoReader(whole, { signal: options.signal });
  let pending = '';
  let count = 0;
  for await (const event of reader) {
    pending += `${eventJsonLine(event)}\n`;
    count++;
    if (pending.length >= FLUSH_BYTES) {
      await write(writable, pending);
      pending = '';
    }
  }
  if (pending) await write(writable, pending);
  return count;
}
