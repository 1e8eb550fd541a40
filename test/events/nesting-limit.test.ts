// Deeply nested google.protobuf.Struct values (and JSON) fail with LIMIT_EXCEEDED, never a
// RangeError: on decode (a hostile recording, read through ProtoReader on this backend), on
// encode, on JSON marshal (toEventFields, export) and on fromEventFields.
import { describe, expect, it } from 'vitest';
import { isAuditcastError } from '../../lib/errors.js';
import { encodeEvent } from '../../lib/events/oneof.js';
import { fromEventFields, toEventFields } from '../../lib/events/event-fields.js';
import { marshalEventJson } from '../../lib/events/event-json.js';
import { MAX_NESTING_DEPTH } from '../../lib/events/nesting-limit.js';
import { ProtoReader } from '../../lib/stream/proto-reader.js';
import { frame, makePart } from '../helpers/recording.js';

function varint(n: number): number[] {
  const out: number[] = [];
  for (; n >= 0x80; n >>>= 7) out.push((n & 0x7f) | 0x80);
  out.push(n);
  return out;
}

function readVarint(bytes: Uint8Array, at: number): [number, number] {
  let value = 0;
  let shift = 0;
  for (;;) {
    const b = bytes[at++]!;
    value += (b & 0x7f) * 2 ** shift;
    shift += 7;
    if (b < 0x80) return [value, at];
  }
}

/** Struct bytes {"a": {"a": ... {}}} nested `depth` levels, built without recursion. */
function deepStructBytes(depth: number): Buffer {
  let struct = Buffer.alloc(0);
  for (let i = 0; i < depth - 1; i++) {
    const value = Buffer.concat([Buffer.from([0x2a, ...varint(struct.length)]), struct]);
    const entry = Buffer.concat([Buffer.from([0x0a, 1, 0x61, 0x12, ...varint(value.length)]), value]);
    struct = Buffer.concat([Buffer.from([0x0a, ...varint(entry.length)]), entry]);
  }
  return struct;
}

/** A user.login OneOf record whose IdentityAttributes (field 5) is `struct`. */
function userLoginWith(struct: Buffer): Buffer {
  const base = encodeEvent({ $type: 'UserLogin', Metadata: { Index: 0, Type: 'user.login', Code: 'T1000I' }, User: { User: 'alice' } });
  const [tag, afterTag] = readVarint(base, 0);
  const [, bodyAt] = readVarint(base, afterTag);
  const body = Buffer.concat([base.subarray(bodyAt), Buffer.from([0x2a, ...varint(struct.length)]), struct]);
  return Buffer.concat([Buffer.from(varint(tag)), Buffer.from(varint(body.length)), body]);
}

function nested(depth: number): Record<string, unknown> {
  let value: Record<string, unknown> = {};
  for (let i = 1; i < depth; i++) value = { a: value };
  return value;
}

async function readRecording(record: Buffer): Promise<unknown> {
  return new ProtoReader(makePart(frame([record]))).readAll();
}

describe('nesting limit', () => {
  it(`reads Structs ${MAX_NESTING_DEPTH} levels deep and exports them as JSON`, async () => {
    const [event] = (await readRecording(userLoginWith(deepStructBytes(MAX_NESTING_DEPTH)))) as Record<string, unknown>[];
    const json = marshalEventJson(event as never);
    expect(json.split('{"a":').length - 1).toBe(MAX_NESTING_DEPTH - 1);
    expect(JSON.parse(toEventFields(event as never).toJSONLine()).attributes).toHaveProperty('a');
  });

  it('refuses deeper Structs in a recording: a CORRUPTED record, caused by LIMIT_EXCEEDED (3000 levels overflowed the stack)', async () => {
    for (const depth of [MAX_NESTING_DEPTH + 1, 3000]) {
      const err = await readRecording(userLoginWith(deepStructBytes(depth))).catch((e: unknown) => e);
      expect(err).not.toBeInstanceOf(RangeError);
      expect(isAuditcastError(err, 'CORRUPTED'), String(err)).toBe(true);
      expect(isAuditcastError((err as Error).cause, 'LIMIT_EXCEEDED')).toBe(true);
      expect((err as Error).message).toMatch(/google\.protobuf\.Struct at byte \d+: value nested deeper than 100 levels/);
    }
  });

  it('refuses to encode, marshal or unmarshal values nested too deep', () => {
    const deep = nested(5000);
    const login = { $type: 'UserLogin', Metadata: { Index: 0, Type: 'user.login', Code: 'T1000I' }, IdentityAttributes: deep } as never;
    for (const attempt of [() => encodeEvent(login), () => marshalEventJson(login), () => toEventFields(login)]) {
      let err: unknown;
      try { attempt(); } catch (e) { err = e; }
      expect(isAuditcastError(err, 'LIMIT_EXCEEDED'), String(err)).toBe(true);
    }
    let err: unknown;
    try { fromEventFields({ event: 'user.login', attributes: deep }); } catch (e) { err = e; }
    expect(isAuditcastError(err, 'LIMIT_EXCEEDED'), String(err)).toBe(true);
  });
});
