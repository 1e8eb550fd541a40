import { describe, expect, it } from 'vitest';
import { ProtoReader } from '../../lib/stream/proto-reader.js';
import { ProtoStreamer } from '../../lib/stream/proto-streamer.js';
import { MemoryUploader } from '../../lib/uploads/memory-uploader.js';
import type { AuditEvent } from '../../lib/events/event.js';
import { chunksToPrints, loadScriptSession, loadTeleportWebPrints } from '../helpers/corpus.js';
import { printsToBatch } from '../helpers/recording.js';

async function recordOneByOne(prints: AuditEvent[], minUploadBytes: number): Promise<Buffer> {
  const uploader = new MemoryUploader();
  const stream = await new ProtoStreamer({ uploader, minUploadBytes }).createAuditStream('s');
  for (const p of prints) await stream.recordEvent(p);
  await stream.complete();
  return uploader.download('s');
}

async function recordInBatches(prints: AuditEvent[], minUploadBytes: number, batchSize: number): Promise<Buffer> {
  const uploader = new MemoryUploader();
  const stream = await new ProtoStreamer({ uploader, minUploadBytes }).createAuditStream('s');
  const pending: Promise<void>[] = [];
  for (let i = 0; i < prints.length; i += batchSize) pending.push(stream.recordPrintBatch(printsToBatch(prints.slice(i, i + batchSize))));
  await Promise.all(pending);
  await stream.complete();
  return uploader.download('s');
}

describe('ProtoStream.recordPrintBatch', () => {
  const typing = chunksToPrints(loadScriptSession('typing').chunks);
  const build = chunksToPrints(loadScriptSession('build').chunks);
  const npm = loadTeleportWebPrints('npm').prints;

  for (const [name, prints] of [['typing', typing], ['build', build], ['npm', npm]] as const) {
    for (const min of [1, 1024, 64 * 1024, 5 * 1024 * 1024]) {
      it(`${name}, parts of ${min} bytes: the same recording as recordEvent one by one`, async () => {
        const expected = await recordOneByOne([...prints], min);
        for (const batchSize of [1, 7, 1000]) {
          const got = await recordInBatches([...prints], min, batchSize);
          expect(got.equals(expected), `batch size ${batchSize}`).toBe(true);
        }
      });
    }
  }

  it('reads back as the same events', async () => {
    const out = await new ProtoReader(await recordInBatches([...npm], 4096, 100)).readAll();
    expect(Buffer.concat(out.map((e) => e.Data as Uint8Array)).equals(loadTeleportWebPrints('npm').stream)).toBe(true);
  });

  it('refuses a malformed batch with BAD_PARAMETER and keeps the stream usable', async () => {
    const uploader = new MemoryUploader();
    const stream = await new ProtoStreamer({ uploader }).createAuditStream('bad');
    const batch = printsToBatch(typing.slice(0, 2));
    batch.numbers[0] = batch.data.length + 5;
    await expect(stream.recordPrintBatch(batch)).rejects.toMatchObject({ code: 'BAD_PARAMETER' });
    await stream.recordPrintBatch(printsToBatch(typing.slice(0, 2)));
    await stream.complete();
    expect(await new ProtoReader(await uploader.download('bad')).readAll()).toHaveLength(2);
  });
});
