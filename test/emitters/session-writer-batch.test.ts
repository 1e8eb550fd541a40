// SessionWriter's batch path (write() queues print batches, no object per print) against the
// event path (makeEvents: one print object per event, as before): the same recording byte for
// byte, with parallel compression on and off; and resume, backoff and loss counting per print.
import { describe, expect, it } from 'vitest';
import { MAX_RECORD_BYTES } from '../../lib/codec/part-format.js';
import { AuditcastError } from '../../lib/errors.js';
import { CallbackStreamer } from '../../lib/emitters/callback-streamer.js';
import { SessionWriter } from '../../lib/emitters/session-writer.js';
import type { AuditEventInput } from '../../lib/events/event.js';
import { Timestamp } from '../../lib/events/timestamp.js';
import { ProtoReader } from '../../lib/stream/proto-reader.js';
import { ProtoStreamer } from '../../lib/stream/proto-streamer.js';
import type { Streamer } from '../../lib/stream/streamer.js';
import { MemoryUploader } from '../../lib/uploads/memory-uploader.js';
import { loadScriptSession, loadTeleportWebPrints } from '../helpers/corpus.js';

const START_MS = Date.UTC(2026, 0, 1);
const CLUSTER = 'cluster-one';

interface Write {
  data: Uint8Array;
  /** Clock at the write (ms since the epoch). */
  ms: number;
}

function scriptWrites(name: string, repeat = 1): Write[] {
  const { chunks } = loadScriptSession(name);
  const writes: Write[] = [];
  let ms = START_MS;
  for (let r = 0; r < repeat; r++) {
    for (const chunk of chunks) {
      ms += chunk.delayMs;
      writes.push({ data: chunk.data, ms });
    }
  }
  return writes;
}

/** Typing, one byte per write (an interactive session at its most fragmented). */
function byteWrites(): Write[] {
  return scriptWrites('typing').flatMap((w) => [...w.data].map((b, i) => ({ data: Uint8Array.of(b), ms: w.ms + i })));
}

function teleportWrites(): Write[] {
  return loadTeleportWebPrints('npm').prints.map((p) => ({ data: p.Data as Uint8Array, ms: (p.Metadata.Time as Timestamp).toMillis() }));
}

/** What SessionWriter's default write makes, as event objects (the event path). */
function printObjects(data: Uint8Array, ms: number): AuditEventInput[] {
  const max = MAX_RECORD_BYTES - 256 - Buffer.byteLength(CLUSTER);
  const events: AuditEventInput[] = [];
  for (let pos = 0; pos < data.length; pos += max) {
    events.push({ $type: 'SessionPrint', Metadata: { Type: 'print', Time: Timestamp.fromMillis(ms) }, Data: data.subarray(pos, pos + max) });
  }
  return events;
}

const resize = (ms: number): AuditEventInput => ({ $type: 'Resize', Metadata: { Type: 'resize', Code: 'T2002I', ID: `r${ms}`, Time: new Date(ms) }, TerminalSize: '100:30' });

async function record(writes: Write[], options: { batches: boolean; minUploadBytes: number; parallel: boolean }): Promise<Buffer> {
  const uploader = new MemoryUploader();
  let clock = START_MS;
  const writer = new SessionWriter({
    sessionId: 'parity',
    streamer: new ProtoStreamer({ uploader, minUploadBytes: options.minUploadBytes, parallelCompression: options.parallel }),
    clusterName: CLUSTER,
    now: () => new Date(clock),
    makeEvents: options.batches ? undefined : (data) => printObjects(data, clock),
  });
  await writer.recordEvent({ $type: 'SessionStart', Metadata: { Type: 'session.start', Code: 'T2000I', ID: 'start', Time: new Date(START_MS) }, TerminalSize: '80:25' });
  let pending: Promise<void>[] = [];
  for (const [i, w] of writes.entries()) {
    clock = w.ms;
    pending.push(writer.write(w.data));
    if (i % 97 === 50) pending.push(writer.recordEvent(resize(w.ms)));
    // Some writes land in a batch still queued, some start a new one.
    if (i % 13 === 12) {
      await Promise.all(pending);
      pending = [];
    }
  }
  clock += 10;
  pending.push(writer.write(Buffer.alloc(200_000, 0x61))); // a write of several prints
  await Promise.all(pending);
  await writer.recordEvent({ $type: 'SessionEnd', Metadata: { Type: 'session.end', Code: 'T2004I', ID: 'end', Time: new Date(clock) } });
  await writer.complete();
  expect(writer.stats.lostEvents).toBe(0);
  return uploader.download('parity');
}

describe('SessionWriter batch path: the same recording as the event path', () => {
  const sessions: [string, () => Write[]][] = [
    ['build corpus x4', () => scriptWrites('build', 4)],
    ['typing corpus, one byte per write', byteWrites],
    ['teleport npm fixture', teleportWrites],
  ];
  for (const [name, writes] of sessions) {
    for (const minUploadBytes of [1, 1024, 64 * 1024, 5 * 1024 * 1024]) {
      it(`${name}, parts of ${minUploadBytes} bytes`, async () => {
        const input = writes();
        const expected = await record(input, { batches: false, minUploadBytes, parallel: false });
        expect((await record(input, { batches: true, minUploadBytes, parallel: false })).equals(expected), 'batches, serial').toBe(true);
        expect((await record(input, { batches: true, minUploadBytes, parallel: true })).equals(expected), 'batches, parallel').toBe(true);
        expect((await record(input, { batches: false, minUploadBytes, parallel: true })).equals(expected), 'events, parallel').toBe(true);
      }, 60_000);
    }
  }

  it('reads back the exact bytes written, numbered without a gap', async () => {
    const input = scriptWrites('build');
    const out = await new ProtoReader(await record(input, { batches: true, minUploadBytes: 64 * 1024, parallel: true })).readAll();
    const prints = out.filter((e) => e.$type === 'SessionPrint');
    expect(Buffer.concat(prints.map((e) => e.Data as Uint8Array)).equals(Buffer.concat([...input.map((w) => w.data), Buffer.alloc(200_000, 0x61)]))).toBe(true);
    expect(out.map((e) => e.Metadata.Index)).toEqual(out.map((_, i) => i));
  });
});

describe('SessionWriter batch path: failures per print', () => {
  function writer(wrap: (inner: Streamer) => Streamer, options: Partial<ConstructorParameters<typeof SessionWriter>[0]> = {}) {
    const uploader = new MemoryUploader();
    const inner = new ProtoStreamer({ uploader, minUploadBytes: 4096, retry: { stepMs: 1 } });
    const w = new SessionWriter({ sessionId: 'faults', streamer: wrap(inner), ...options });
    const read = async () => new ProtoReader(await uploader.download('faults')).readAll();
    return { writer: w, read };
  }

  it('a stream lost in the middle of a batch resumes and sends each print once', async () => {
    let failed = false;
    const { writer: w, read } = writer((inner) => new CallbackStreamer({
      inner,
      onRecordEvent: (_sid, e) => {
        if (!failed && (e.Metadata?.Index ?? 0) === 2500) {
          failed = true;
          throw new AuditcastError('CONNECTION_PROBLEM', 'simulated connection loss');
        }
      },
    }));
    const input = byteWrites();
    for (const chunk of input) await w.write(chunk.data);
    await w.complete();
    expect(failed).toBe(true);
    expect(w.stats.streamsResumed + w.stats.streamsCreated).toBe(2);
    const out = await read();
    expect(out.map((e) => e.Metadata.Index)).toEqual(input.map((_, i) => i));
    expect(Buffer.concat(out.map((e) => e.Data as Uint8Array)).equals(Buffer.concat(input.map((c) => c.data)))).toBe(true);
  });

  it('a hung stream never blocks write(); lost prints are counted one by one', async () => {
    let release!: () => void;
    const released = new Promise<void>((r) => { release = r; });
    let hung = false;
    const { writer: w, read } = writer((inner) => new CallbackStreamer({
      inner,
      onRecordEvent: async (_sid, e) => {
        if (!hung && (e.Metadata?.Index ?? 0) >= 300) {
          hung = true;
          await released;
          throw new AuditcastError('CONNECTION_PROBLEM', 'stream hung');
        }
      },
    }), { bufferSize: 10, backoffTimeoutMs: 50, backoffDurationMs: 60_000 });
    const input = byteWrites().slice(0, 1000);
    await Promise.all(input.map((c) => w.write(c.data)));
    // During the backoff a write of four prints is four lost events.
    const before = w.stats.lostEvents;
    await w.write(Buffer.alloc(4 * 60_000, 0x62));
    expect(w.stats.lostEvents).toBe(before + 4);
    expect(hung).toBe(true);
    release();
    await w.complete();
    const out = await read();
    const prints = 1000 + 4;
    expect(w.stats.acceptedEvents + w.stats.lostEvents).toBe(prints);
    expect(w.stats.lostEvents).toBeGreaterThan(4);
    expect(out.map((e) => e.Metadata.Index)).toEqual(out.map((_, i) => i));
    expect(out).toHaveLength(w.stats.acceptedEvents);
  });
});
