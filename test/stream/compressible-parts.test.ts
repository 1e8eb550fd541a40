// Highly compressible terminal output (`yes`: deflate ratio in the hundreds) must make parts that
// our own reader reads with its default budget (maxPartBytes 64 MiB): the writer cuts a part by
// its read cost as well as by its compressed size (WRITTEN_PART_MAX_READ_COST). Both backends
// (AUDITCAST_FORCE_JS=1), with and without parallel compression.
import { describe, expect, it } from 'vitest';
import { PART_HEADER_SIZE } from '../../lib/codec/part-format.js';
import type { AuditEventInput } from '../../lib/events/event.js';
import { ProtoReader } from '../../lib/stream/proto-reader.js';
import { ProtoStreamer } from '../../lib/stream/proto-streamer.js';
import { MemoryUploader } from '../../lib/uploads/memory-uploader.js';

const WRITE_BYTES = 32 * 1024;
const TOTAL_BYTES = 100 * 1024 * 1024;
const WRITES = TOTAL_BYTES / WRITE_BYTES;
const YES = Buffer.from('y\n'.repeat(WRITE_BYTES / 2));

function print(index: number): AuditEventInput {
  return {
    $type: 'SessionPrint',
    Metadata: { Index: index, Type: 'print', ID: '', Code: '', Time: new Date(Date.UTC(2026, 0, 1, 0, 0, 0, index)), ClusterName: 'test' },
    ChunkIndex: index,
    Data: YES,
    Bytes: YES.length,
    DelayMilliseconds: index,
    Offset: index * WRITE_BYTES,
  } as AuditEventInput;
}

/** The gzip member sizes of a recording's parts, from their headers. */
function partSizes(recording: Uint8Array): number[] {
  const sizes: number[] = [];
  for (let pos = 0; pos < recording.length;) {
    const view = new DataView(recording.buffer, recording.byteOffset + pos);
    const size = Number(view.getBigUint64(8));
    sizes.push(size);
    pos += PART_HEADER_SIZE + size + Number(view.getBigUint64(16));
  }
  return sizes;
}

describe('a recording of 100 MiB of `yes` reads back with the default part budget', () => {
  for (const parallelCompression of [true, false]) {
    it(`parallelCompression: ${parallelCompression}`, async () => {
      const uploader = new MemoryUploader();
      const streamer = new ProtoStreamer({ uploader, parallelCompression });
      const stream = await streamer.createAuditStream('yes');
      for (let i = 0; i < WRITES; i++) await stream.recordEvent(print(i));
      await stream.complete();
      const recording = await uploader.download('yes');
      // Far under 5 MiB compressed in all (cut parts are padded), so only the read cost can have cut it.
      const sizes = partSizes(recording);
      expect(sizes.reduce((a, b) => a + b, 0)).toBeLessThan(5 * 1024 * 1024);
      expect(sizes.length).toBeGreaterThanOrEqual(2);

      let events = 0;
      let bytes = 0;
      let expected = 0;
      for await (const event of new ProtoReader(recording)) {
        expect(event.Metadata.Index).toBe(expected++);
        const data = (event as { Data?: Uint8Array }).Data!;
        expect(data.length).toBe(WRITE_BYTES);
        bytes += data.length;
        events++;
      }
      expect(events).toBe(WRITES);
      expect(bytes).toBe(TOTAL_BYTES);
    }, 120_000);
  }
});
