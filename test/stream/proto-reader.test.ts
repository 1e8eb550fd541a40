import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { AuditcastError } from '../../lib/errors.js';
import { PART_HEADER_SIZE } from '../../lib/codec/part-format.js';
import type { AuditEvent } from '../../lib/events/event.js';
import { encodeEvent } from '../../lib/events/oneof.js';
import { Timestamp } from '../../lib/events/timestamp.js';
import { detectFormat } from '../../lib/stream/detect-format.js';
import { ProtoReader } from '../../lib/stream/proto-reader.js';
import { chunksToPrints, loadScriptSession, loadTeleportWebPrints } from '../helpers/corpus.js';
import { generateTestSession } from '../helpers/generate-session.js';
import { expectSameEvents } from '../helpers/normalize.js';
import { frame, makePart, partOf, rawPart, recordEvents } from '../helpers/recording.js';

function withIndexes(indexes: number[]): AuditEvent[] {
  return indexes.map((index) => ({
    $type: 'SessionPrint',
    Metadata: { Index: index, Type: 'print', ID: '', Code: '', Time: Timestamp.fromMillis(1000 * index), ClusterName: '' },
    ChunkIndex: 0, Data: Buffer.from(`event ${index}`), Bytes: 0, DelayMilliseconds: 0, Offset: 0,
  }));
}

async function readError(input: Uint8Array | Readable, options = {}): Promise<AuditcastError> {
  const reader = new ProtoReader(input, options);
  try {
    await reader.readAll();
  } catch (err) {
    expect(err).toBeInstanceOf(AuditcastError);
    return err as AuditcastError;
  }
  throw new Error('expected the read to fail');
}

function chunked(data: Uint8Array, size: (i: number) => number): Readable {
  const chunks: Uint8Array[] = [];
  for (let pos = 0, i = 0; pos < data.length; i++) {
    const n = Math.max(1, size(i));
    chunks.push(data.subarray(pos, pos + n));
    pos += n;
  }
  return Readable.from(chunks);
}

describe('ProtoReader: dedup and ordering as Teleport counts them', () => {
  it('drops repeated indexes and counts gaps', async () => {
    const recording = partOf(withIndexes([0, 1, 2, 2, 1, 5, 6]));
    const reader = new ProtoReader(recording);
    const out = await reader.readAll();
    expect(out.map((e) => e.Metadata.Index)).toEqual([0, 1, 2, 5, 6]);
    expect(reader.stats).toMatchObject({ skippedEvents: 2, outOfOrderEvents: 1, totalEvents: 7, parts: 1 });
  });

  it('a gap right after index 0 is not counted (last index must be > 0)', async () => {
    const reader = new ProtoReader(partOf(withIndexes([0, 3])));
    await reader.readAll();
    expect(reader.stats.outOfOrderEvents).toBe(0);
  });

  it('reset() reads another source and keeps stats and the last index', async () => {
    const reader = new ProtoReader(partOf(withIndexes([0, 1, 2])));
    await reader.readAll();
    reader.reset(partOf(withIndexes([2, 3])));
    const out = await reader.readAll();
    expect(out.map((e) => e.Metadata.Index)).toEqual([3]);
    expect(reader.stats).toMatchObject({ skippedEvents: 1, totalEvents: 5, parts: 2 });
  });
});

describe('ProtoReader: inputs', () => {
  const events = generateTestSession({ printEvents: 400 });

  it('reads a Readable in 1-byte, 2-byte and random chunks with the same result', async () => {
    const recording = await recordEvents(events, 2048);
    let seed = 7;
    const random = () => { seed = (seed * 1103515245 + 12345) % 2147483648; return 1 + (seed % 5000); };
    for (const size of [() => 1, () => 2, random]) {
      const out = await new ProtoReader(chunked(recording, size)).readAll();
      expectSameEvents(out, events, expect);
    }
  });

  it('reads async iteration, read() and readAll() alike', async () => {
    const recording = await recordEvents(events, 4096);
    const iterated: AuditEvent[] = [];
    for await (const event of new ProtoReader(recording)) iterated.push(event);
    const reader = new ProtoReader(recording);
    const one = [];
    for (let e = await reader.read(); e; e = await reader.read()) one.push(e);
    expectSameEvents(iterated, events, expect);
    expectSameEvents(one, events, expect);
    expect(await reader.read()).toBeNull();
    // batches(): one synchronous iterable per part, the same events, copies and views alike.
    for (const copyData of [true, false]) {
      const batched = new ProtoReader(recording, { copyData });
      const fromBatches: AuditEvent[] = [];
      let batches = 0;
      for await (const batch of batched.batches()) {
        batches++;
        for (const event of batch) fromBatches.push(event);
      }
      expectSameEvents(fromBatches, events, expect);
      expect(batches).toBe(batched.stats.parts);
      expect(batches).toBeGreaterThan(1);
    }
    // Leaving a for-await early closes the reader.
    const early = new ProtoReader(recording);
    for await (const event of early) if (event) break;
    expect(await early.read()).toBeNull();
  });

  it('tolerates bytes after the gzip member inside PartSize (old padding bug) and counts them', async () => {
    const part = partOf(withIndexes([0, 1]));
    const size = Number(part.readBigUInt64BE(8));
    const section = Buffer.concat([part.subarray(PART_HEADER_SIZE, PART_HEADER_SIZE + size), Buffer.alloc(100)]);
    const reader = new ProtoReader(Buffer.concat([rawPart(section, 50), partOf(withIndexes([2]))]));
    expect((await reader.readAll()).map((e) => e.Metadata.Index)).toEqual([0, 1, 2]);
    expect(reader.stats.skippedBytes).toBe(100);
  });

  it('skips parts whose PartSize is 0', async () => {
    const out = await new ProtoReader(Buffer.concat([rawPart(new Uint8Array(0), 10), partOf(withIndexes([0]))])).readAll();
    expect(out).toHaveLength(1);
  });

  it('accepts any valid gzip member (node\'s own, with a file name)', async () => {
    const framed = frame(withIndexes([0, 1]).map((e) => encodeEvent(e)));
    const member = gzipSync(framed);
    const named = Buffer.concat([member.subarray(0, 3), Buffer.from([0x08]), member.subarray(4, 10), Buffer.from('name.bin\0'), member.subarray(10)]);
    const out = await new ProtoReader(rawPart(named)).readAll();
    expect(out.map((e) => e.Metadata.Index)).toEqual([0, 1]);
  });
});


describe('ProtoReader: corrupted input gets a coded error that says where', () => {
  it('truncation at every byte of a small recording: an error or a clean shorter read, never a crash or hang', async () => {
    const events = generateTestSession({ printEvents: 6 });
    const recording = await recordEvents(events, 1);
    const boundaries = new Set<number>();
    for (let pos = 0; pos < recording.length;) {
      boundaries.add(pos);
      pos += PART_HEADER_SIZE + Number(recording.readBigUInt64BE(pos + 8)) + Number(recording.readBigUInt64BE(pos + 16));
    }
    for (let cut = 1; cut < recording.length; cut++) {
      const started = Date.now();
      const reader = new ProtoReader(recording.subarray(0, cut));
      if (boundaries.has(cut)) {
        expect((await reader.readAll()).length).toBeGreaterThan(0);
      } else {
        const err = await reader.readAll().then(() => null, (e: unknown) => e);
        expect(err, `cut at ${cut}`).toBeInstanceOf(AuditcastError);
        expect((err as AuditcastError).code).toBe('CORRUPTED');
        expect((err as Error).message).toMatch(/part \d+ \(at byte \d+\)/);
      }
      expect(Date.now() - started).toBeLessThan(1000);
    }
  });

  it('a bad gzip checksum', async () => {
    const part = partOf(withIndexes([0, 1]));
    const size = Number(part.readBigUInt64BE(8));
    part[PART_HEADER_SIZE + size - 8] ^= 0xff;
    const err = await readError(part);
    expect(err.code).toBe('CORRUPTED');
    expect(err.message).toMatch(/part 1 \(at byte 0\): gzip checksum mismatch/);
  });

  it('a record length of 0', async () => {
    const err = await readError(makePart(Buffer.alloc(8)));
    expect(err.code).toBe('CORRUPTED');
    expect(err.message).toMatch(/unexpected message size 0 at byte 0/);
  });

  it('a record length over 64 KiB', async () => {
    const framed = Buffer.alloc(70_004);
    framed.writeUInt32BE(70_000);
    const err = await readError(makePart(framed));
    expect(err.code).toBe('CORRUPTED');
    expect(err.message).toMatch(/record size 70000 exceeds max message size of 65536/);
  });

  it('a record that is not an event is an error for that record only', async () => {
    const good = encodeEvent(withIndexes([0])[0]);
    const reader = new ProtoReader(makePart(frame([Buffer.from([0xff, 0xff, 0xff]), good])));
    await expect(reader.read()).rejects.toMatchObject({ code: 'CORRUPTED', message: expect.stringMatching(/record 1/) });
    expect((await reader.read())?.Metadata.Index).toBe(0);
  });

  it('an unknown version, and a V2 (encrypted) recording', async () => {
    const part = partOf(withIndexes([0]));
    part.writeBigUInt64BE(7n, 0);
    expect(await readError(part)).toMatchObject({ code: 'UNSUPPORTED', message: expect.stringMatching(/unsupported protocol version 7/) });
    part.writeBigUInt64BE(2n, 0);
    expect(await readError(part)).toMatchObject({ code: 'UNSUPPORTED', message: expect.stringMatching(/encrypted/) });
  });

  it('hostile sizes: a huge PartSize is refused before allocating, a huge padding is a truncation', async () => {
    const header = Buffer.alloc(PART_HEADER_SIZE);
    header.writeBigUInt64BE(1n, 0);
    header.writeBigUInt64BE(1n << 62n, 8);
    expect(await readError(header)).toMatchObject({ code: 'LIMIT_EXCEEDED', message: expect.stringMatching(/maxPartBytes/) });
    const part = partOf(withIndexes([0]));
    part.writeBigUInt64BE(1n << 62n, 16);
    expect(await readError(part)).toMatchObject({ code: 'CORRUPTED', message: expect.stringMatching(/padding truncated/) });
  });

  it('a part that inflates past maxInflatedPartBytes', async () => {
    const err = await readError(partOf(withIndexes([0, 1, 2])), { maxInflatedPartBytes: 16 });
    expect(err.code).toBe('LIMIT_EXCEEDED');
  });

  it('garbage that is not a recording', async () => {
    const err = await readError(Buffer.from('this session is corrupted, definitely not a recording'));
    expect(err.code).toBe('UNSUPPORTED');
  });

  it('names the second part and its offset', async () => {
    const first = partOf(withIndexes([0]));
    const second = partOf(withIndexes([1]));
    second[PART_HEADER_SIZE + 3] = 0xe0; // reserved gzip flag bits
    const err = await readError(Buffer.concat([first, second]));
    expect(err.message).toContain(`part 2 (at byte ${first.length})`);
    expect(err.message).toMatch(/invalid gzip header/);
    expect(err.partOffset).toBe(first.length);
  });
});

describe('round trip of real sessions', () => {
  for (const name of ['vim', 'npm'] as const) {
    it(`teleport-web ${name}: print data and timing come back exactly`, async () => {
      const { prints, stream } = loadTeleportWebPrints(name);
      for (const min of [5 * 1024 * 1024, 1024]) {
        const out = await new ProtoReader(await recordEvents(prints, min)).readAll();
        expectSameEvents(out, prints, expect);
        expect(Buffer.concat(out.map((e) => e.Data as Uint8Array)).equals(stream)).toBe(true);
      }
    });
  }
  for (const name of ['build', 'typing']) {
    it(`corpus ${name}: PTY bytes come back exactly`, async () => {
      const { chunks, bytes } = loadScriptSession(name);
      const prints = chunksToPrints(chunks);
      const out = await new ProtoReader(await recordEvents(prints, 16 * 1024)).readAll();
      expectSameEvents(out, prints, expect);
      expect(Buffer.concat(out.map((e) => e.Data as Uint8Array)).equals(bytes)).toBe(true);
      expect(out.map((e) => e.DelayMilliseconds)).toEqual(prints.map((e) => e.DelayMilliseconds));
    });
  }
});

describe('detectFormat', () => {
  it('recognises proto v1, v2 and a tar header, and refuses the rest', async () => {
    expect(detectFormat(partOf(withIndexes([0])))).toEqual({ format: 'proto', version: 1 });
    const v2 = Buffer.alloc(32);
    v2.writeBigUInt64BE(2n, 0);
    v2[24] = 1;
    expect(detectFormat(v2)).toEqual({ format: 'proto', version: 2, encrypted: true });
    const tar = Buffer.alloc(512);
    tar.write('sid.index', 0);
    tar.write('0000644\0', 100);
    tar.write('00000000000\0', 124);
    tar.fill(0x20, 148, 156);
    let sum = 0;
    for (const b of tar) sum += b;
    tar.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 'latin1');
    expect(detectFormat(tar)).toEqual({ format: 'legacy-tar' });
    expect(() => detectFormat(Buffer.alloc(512))).toThrow(AuditcastError);
    expect(() => detectFormat(Buffer.from('hello'))).toThrow(/unknown recording format/);
  });
});

describe('ProtoReader: data copies and views', () => {
  it('events keep their data after later parts are read and freed (default), and views read the same', async () => {
    const events = generateTestSession({ printEvents: 600 });
    const recording = await recordEvents(events, 4096);
    const copied = await new ProtoReader(recording).readAll();
    const viewed = await new ProtoReader(recording, { copyData: false }).readAll();
    expectSameEvents(copied, events, expect);
    expectSameEvents(viewed, events, expect);
    expect(copied.filter((e) => e.$type === 'SessionPrint').every((e) => (e.Data as Uint8Array).length === e.Bytes)).toBe(true);
  });
});
