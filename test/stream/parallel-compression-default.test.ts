// The default for parallel compression: on with the native codec for as many open streams as there
// are cores (when more than one), serial for the streams beyond them, and a slot is free again when
// a stream ends; off with the JS codec; an explicit option always wins. Both backends
// (AUDITCAST_FORCE_JS=1 runs it with the JS codec as the default).
import { availableParallelism } from 'node:os';
import { afterEach, describe, expect, it } from 'vitest';
import { codec as defaultCodec, jsCodec } from '../../lib/codec/index.js';
import type { ProtoStream } from '../../lib/stream/proto-stream.js';
import { ProtoStreamer } from '../../lib/stream/proto-streamer.js';
import { MemoryUploader } from '../../lib/uploads/memory-uploader.js';

const cores = availableParallelism();
const open: ProtoStream[] = [];

afterEach(async () => {
  await Promise.all(open.splice(0).map((s) => s.close()));
});

async function openStreams(streamer: ProtoStreamer, n: number): Promise<ProtoStream[]> {
  const streams: ProtoStream[] = [];
  for (let i = 0; i < n; i++) streams.push(await streamer.createAuditStream(`s${open.length + i}`));
  open.push(...streams);
  return streams;
}

describe('parallel compression default', () => {
  it(`with the default codec (${defaultCodec.backend}): only as many streams as cores, a slot freed when one ends`, async () => {
    const streamer = new ProtoStreamer({ uploader: new MemoryUploader() });
    const streams = await openStreams(streamer, cores + 2);
    const parallelByDefault = defaultCodec.backend === 'native' && cores > 1;
    const expected = streams.map((_, i) => parallelByDefault && i < cores);
    expect(streams.map((s) => s.parallelCompression)).toEqual(expected);
    await streams[0]!.complete();
    const [next] = await openStreams(streamer, 1);
    expect(next!.parallelCompression).toBe(parallelByDefault);
  });

  it('the JS codec compresses serially unless asked', async () => {
    const [serial] = await openStreams(new ProtoStreamer({ uploader: new MemoryUploader(), codec: jsCodec }), 1);
    expect(serial!.parallelCompression).toBe(false);
    const [asked] = await openStreams(new ProtoStreamer({ uploader: new MemoryUploader(), codec: jsCodec, parallelCompression: true }), 1);
    expect(asked!.parallelCompression).toBe(true);
  });

  it('an explicit option wins over the slots', async () => {
    const streams = await openStreams(new ProtoStreamer({ uploader: new MemoryUploader(), parallelCompression: true }), cores + 2);
    expect(streams.every((s) => s.parallelCompression)).toBe(true);
    const [off] = await openStreams(new ProtoStreamer({ uploader: new MemoryUploader(), parallelCompression: false }), 1);
    expect(off!.parallelCompression).toBe(false);
  });
});
