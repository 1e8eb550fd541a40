// Reader fuzz: recordings of random events of every message type (DeviceEvent included), mutated,
// read by ProtoReader on the backend under test and on the JS backend with random part budgets.
// Every read ends (no hang), every failure is a coded AuditcastError, and both backends read the
// same events (re-encoded bytes) and fail with the same code and message.
import { describe, expect, it } from 'vitest';
import type { SliceCodec } from '../../lib/codec/codec.js';
import { AuditcastError } from '../../lib/errors.js';
import type { AuditEventInput } from '../../lib/events/event.js';
import { encodeEvent } from '../../lib/events/oneof.js';
import { ProtoReader } from '../../lib/stream/proto-reader.js';
import { codecUnderTest, jsCodec, randomBytes, rng, sha256 } from '../codec/codec-helpers.js';
import { eventMessages, randomEvent } from '../helpers/random-event.js';
import { frame, makePart, recordEvents } from '../helpers/recording.js';

function mutate(random: () => number, input: Uint8Array): Buffer {
  let bytes = Buffer.from(input);
  for (let ops = 1 + Math.floor(random() * 3); ops > 0; ops--) {
    const at = Math.floor(random() * bytes.length);
    const kind = Math.floor(random() * 4);
    if (kind === 0) bytes[at] ^= 1 << Math.floor(random() * 8);
    else if (kind === 1) bytes = bytes.subarray(0, at);
    else if (kind === 2) bytes = Buffer.concat([bytes.subarray(0, at), Buffer.from(randomBytes(random, 1 + Math.floor(random() * 6))), bytes.subarray(at)]);
    else bytes[at] = Math.floor(random() * 256);
  }
  return bytes;
}

async function outcome(c: SliceCodec, input: Uint8Array, maxPartBytes: number): Promise<string> {
  const reader = new ProtoReader(input, { codec: c, maxPartBytes });
  const hashes: string[] = [];
  for (;;) {
    try {
      const event = await reader.read();
      if (!event) return `ok ${hashes.join(',')}`;
      hashes.push(sha256(encodeEvent(event)).slice(0, 12));
    } catch (err) {
      if (!(err instanceof AuditcastError)) throw new Error(`not an AuditcastError: ${(err as Error).stack}`);
      hashes.push(`error ${err.code} ${err.message}`);
      // A record that does not decode is an error for that record only; anything else ends the read.
      if (!/record \d+:/.test(err.message) || hashes.length > 2000) return hashes.join(',');
    }
  }
}

describe('ProtoReader fuzz over every message type and the part budget', () => {
  it('400 mutated recordings: coded errors only, same outcome on both backends', async () => {
    const random = rng(11);
    const messages = eventMessages();
    expect(messages).toEqual(expect.arrayContaining(['DeviceEvent', 'DeviceEvent2', 'SessionPrint', 'SessionStart']));
    const events: AuditEventInput[] = messages.map((message, i) => randomEvent(random, message, i + 1));
    const seeds = [await recordEvents(events, 2048), await recordEvents(events.slice(0, 20))];
    const c = codecUnderTest();
    // Unmutated, the seeds read back whole on both backends: every message type is in the input.
    for (const seed of seeds) {
      const whole = await outcome(c, seed, 64 << 20);
      expect(whole).toMatch(/^ok /);
      expect(whole).toBe(await outcome(jsCodec, seed, 64 << 20));
    }
    expect((await outcome(c, seeds[0]!, 64 << 20)).split(',')).toHaveLength(events.length);
    // Mutated compressed bytes mostly fail the gzip check; mutated records in a valid part reach
    // the record bounds and the decoder of every message type.
    const framed = frame(events.map((e) => encodeEvent(e)));
    const seen = new Map<string, number>();
    for (let i = 0; i < 400; i++) {
      const input = i % 2 === 0 ? mutate(random, seeds[(i / 2) % seeds.length]) : makePart(mutate(random, framed));
      const budget = random() < 0.3 ? 200 + Math.floor(random() * 6000) : 64 << 20;
      const result = await outcome(c, input, budget);
      expect(result, `case ${i}`).toBe(await outcome(jsCodec, input, budget));
      const kinds = [...result.match(/error [A-Z_]+/g) ?? ['ok'], ...(/record \d+:/.test(result) ? ['record'] : [])];
      for (const kind of kinds) seen.set(kind, (seen.get(kind) ?? 0) + 1);
    }
    console.log(`reader fuzz outcomes: ${JSON.stringify([...seen])}`);
    // The cases reached what they are here for: reads that end, corruptions and the budget.
    expect(seen.get('ok'), JSON.stringify([...seen])).toBeGreaterThan(0);
    expect(seen.get('error CORRUPTED'), JSON.stringify([...seen])).toBeGreaterThan(0);
    expect(seen.get('error LIMIT_EXCEEDED'), JSON.stringify([...seen])).toBeGreaterThan(0);
    expect(seen.get('record'), JSON.stringify([...seen])).toBeGreaterThan(0);
  });
});
