import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { isAuditcastError } from '../../lib/errors.js';
import { fromEventFields, toEventFields } from '../../lib/events/event-fields.js';
import { marshalEventJson } from '../../lib/events/event-json.js';
import { decodeEvent, encodeEvent } from '../../lib/events/oneof.js';

const fixtures = new URL('../../../shared/fixtures/', import.meta.url);
const inputs = JSON.parse(readFileSync(new URL('teleport-web/audit-events.json', fixtures), 'utf8')) as Record<string, unknown>[];
const golden = readFileSync(new URL('teleport-golden/audit-events.golden.jsonl', fixtures), 'utf8')
  .split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, any>);
const withBytes = golden.filter((g) => typeof g.oneof_hex === 'string');
const skipped = golden.filter((g) => g.skipped);

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const unhex = (s: string) => new Uint8Array(Buffer.from(s, 'hex'));

describe('Teleport golden audit events', () => {
  it('has 170 lines matching the 170 inputs, 165 with bytes and 5 skipped', () => {
    expect(golden).toHaveLength(170);
    expect(inputs).toHaveLength(170);
    expect(withBytes).toHaveLength(165);
    expect(skipped.map((g) => g.index)).toEqual([4, 5, 104, 166, 167]);
  });

  it.each(withBytes.map((g) => [g.index, g.event, g] as const))('#%i %s: JSON -> typed -> OneOf bytes', (index, _event, g) => {
    const event = fromEventFields(inputs[index]!);
    expect(event.$type).toBe(g.message);
    expect(hex(encodeEvent(event))).toBe(g.oneof_hex);
  });

  it.each(withBytes.map((g) => [g.index, g.event, g] as const))('#%i %s: OneOf bytes -> JSON', (_index, _event, g) => {
    const line = marshalEventJson(decodeEvent(unhex(g.oneof_hex)));
    expect(JSON.parse(line)).toEqual(g.json_back);
    expect(line).toBe(JSON.stringify(g.json_back));
  });

  it.each(withBytes.map((g) => [g.index, g.event, g] as const))('#%i %s: JSON -> typed -> bytes -> typed -> JSON', (index, _event, g) => {
    const typed = fromEventFields(inputs[index]!);
    const again = decodeEvent(encodeEvent(typed));
    const line = marshalEventJson(again);
    expect(JSON.parse(line)).toEqual(g.json_back);
    expect(marshalEventJson(typed)).toBe(line);
    expect(JSON.parse(JSON.stringify(toEventFields(again)))).toEqual(g.json_back);
    expect(hex(encodeEvent(fromEventFields(toEventFields(again))))).toBe(g.oneof_hex);
  });

  it.each(skipped.map((g) => [g.index, g.event] as const))('#%i %s: the wrong JSON type is a BAD_PARAMETER', (index) => {
    let error: unknown;
    try {
      fromEventFields(inputs[index]!);
    } catch (err) {
      error = err;
    }
    expect(isAuditcastError(error, 'BAD_PARAMETER')).toBe(true);
    const field = index === 104 ? 'function_oid' : index === 5 || index === 167 ? 'dst_port' : 'expires';
    expect((error as Error).message).toContain(field);
  });
});
