// Property: anything the writer accepts, the reader reads back: random events of every message the
// OneOf names (DeviceEvent included, whose metadata field the proto calls `metadata`) go through
// ProtoStreamer and come back through ProtoReader with the same bytes, index and type.
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { AuditEvent, AuditEventInput } from '../../lib/events/event.js';
import { encodeEvent } from '../../lib/events/oneof.js';
import { getMessage } from '../../lib/events/message-codec.js';
import { ProtoReader } from '../../lib/stream/proto-reader.js';
import { rng } from '../codec/codec-helpers.js';
import { eventMessages, randomEvent } from '../helpers/random-event.js';
import { recordEvents } from '../helpers/recording.js';

const PER_MESSAGE = 4;

function randomEvents(seed: number): AuditEventInput[] {
  const random = rng(seed);
  const events: AuditEventInput[] = [];
  for (const message of eventMessages()) {
    for (let i = 0; i < PER_MESSAGE; i++) events.push(randomEvent(random, message, events.length + 1));
  }
  return events;
}

function expectReadBack(read: AuditEvent[], written: AuditEventInput[]): void {
  expect(read.length).toBe(written.length);
  read.forEach((event, i) => {
    const want = written[i];
    expect(event.$type, `event ${i}`).toBe(want.$type);
    expect(event.Metadata.Index, `event ${i} (${want.$type})`).toBe(want.Metadata!.Index);
    expect(Buffer.from(encodeEvent(event)).equals(Buffer.from(encodeEvent(want))), `event ${i} (${want.$type}) bytes`).toBe(true);
  });
}

describe('every message type: the reader reads back what the writer accepts', () => {
  it('every OneOf message has its metadata under `Metadata` (found by schema)', () => {
    for (const message of eventMessages()) {
      const field = getMessage(message).fields.find((f) => f.kind === 'message' && f.ref === 'Metadata');
      expect(field?.name, message).toBe('Metadata');
    }
  });

  it('DeviceEvent (OneOf 112) and DeviceEvent2 (121) read back with their index', async () => {
    const random = rng(112);
    const events = [randomEvent(random, 'DeviceEvent', 1), randomEvent(random, 'DeviceEvent2', 2)];
    const read = await new ProtoReader(await recordEvents(events)).readAll();
    expectReadBack(read, events);
  });

  for (const seed of [1, 2, 3]) {
    it(`seed ${seed}: ${PER_MESSAGE} random events of each message, small parts, Buffer and stream, copies and views`, async () => {
      const events = randomEvents(seed);
      const recording = await recordEvents(events, 4096);
      expectReadBack(await new ProtoReader(recording).readAll(), events);
      expectReadBack(await new ProtoReader(recording, { copyData: false }).readAll(), events);
      const chunks = [];
      for (let at = 0; at < recording.length; at += 777) chunks.push(recording.subarray(at, at + 777));
      expectReadBack(await new ProtoReader(Readable.from(chunks)).readAll(), events);
    });
  }
});
