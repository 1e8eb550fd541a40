// PrintBatcher: events recorded through it (plain prints batched, the rest one by one) give the
// same recording as recordEvent on each, whatever mix of prints it is given.
import { describe, expect, it } from 'vitest';
import type { AuditEventInput } from '../../lib/events/event.js';
import { Timestamp } from '../../lib/events/timestamp.js';
import { PrintBatcher } from '../../lib/stream/print-batcher.js';
import { ProtoStreamer } from '../../lib/stream/proto-streamer.js';
import { MemoryUploader } from '../../lib/uploads/memory-uploader.js';
import { chunksToPrints, loadScriptSession, loadTeleportWebPrints } from '../helpers/corpus.js';

async function recording(events: AuditEventInput[], batched: boolean, minUploadBytes: number, borrowData = false): Promise<Buffer> {
  const uploader = new MemoryUploader();
  const stream = await new ProtoStreamer({ uploader, minUploadBytes }).createAuditStream('s');
  const batcher = new PrintBatcher(stream, { borrowData });
  for (const event of events) await (batched ? batcher.record(event) : stream.recordEvent(event));
  await batcher.flush();
  await stream.complete();
  return uploader.download('s');
}

function mixedSession(): AuditEventInput[] {
  const prints = chunksToPrints(loadScriptSession('build').chunks, Date.UTC(2026, 0, 1), 1);
  const events: AuditEventInput[] = [{ $type: 'SessionStart', Metadata: { Index: 0, Type: 'session.start', Code: 'T2000I', ID: 'a', Time: Timestamp.fromMillis(0) } }];
  prints.forEach((p, i) => {
    if (i % 50 === 7) events.push({ $type: 'Resize', Metadata: { Index: p.Metadata.Index, Type: 'resize', Code: 'T2002I', ID: `r${i}`, Time: p.Metadata.Time }, TerminalSize: '90:20' });
    if (i % 31 === 3) events.push({ ...p, Metadata: { ...p.Metadata, Time: new Date(Date.UTC(2026, 0, 2)) } } as AuditEventInput); // a Date, not a Timestamp
    else if (i % 37 === 5) events.push({ ...p, Metadata: { ...p.Metadata, ClusterName: 'other' } }); // other strings
    else if (i % 41 === 9) events.push({ ...p, Data: Buffer.alloc(65_000, 0x41), Bytes: 65_000 } as AuditEventInput); // too close to 64 KiB to batch
    else events.push(p);
  });
  return events;
}

/** The same events, each print's data a view of one buffer holding them all in order (as an importer's input). */
function viewsOfOneBuffer(events: AuditEventInput[]): AuditEventInput[] {
  const prints = events.filter((e) => e.Data instanceof Uint8Array);
  const whole = Buffer.concat(prints.map((e) => e.Data as Uint8Array));
  let at = 0;
  return events.map((e) => {
    if (!(e.Data instanceof Uint8Array)) return e;
    const view = whole.subarray(at, at + e.Data.length);
    at += e.Data.length;
    return { ...e, Data: view } as AuditEventInput;
  });
}

describe('PrintBatcher', () => {
  const sessions: [string, () => AuditEventInput[]][] = [
    ['a mixed session', mixedSession],
    ['the teleport npm fixture', () => loadTeleportWebPrints('npm').prints],
  ];
  for (const [name, events] of sessions) {
    for (const min of [1024, 64 * 1024, 5 * 1024 * 1024]) {
      it(`${name}, parts of ${min} bytes: the same recording as recordEvent one by one`, async () => {
        const expected = await recording(events(), false, min);
        expect((await recording(events(), true, min)).equals(expected)).toBe(true);
      });
      it(`${name}, parts of ${min} bytes, data borrowed from one buffer: the same recording`, async () => {
        const expected = await recording(events(), false, min);
        const views = viewsOfOneBuffer(events());
        expect((await recording(views, true, min, true)).equals(expected)).toBe(true);
        // Data from scattered buffers (copied after the first break in the run) too.
        expect((await recording(events(), true, min, true)).equals(expected)).toBe(true);
      });
    }
  }
});
