import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import protobuf from 'protobufjs';
import { describe, expect, it } from 'vitest';
import { decodeEvent, encodeEvent } from '../../lib/events/oneof.js';
import { Timestamp } from '../../lib/events/timestamp.js';
import { schemaTable } from '../../lib/events/schema.generated.js';
// @ts-expect-error plain ESM module without types
import { buildSchema, renderDescriptors, renderProto } from '../../scripts/schema-model.mjs';
import { SHARED } from '../helpers/corpus.js';
import { generateTestSession } from '../helpers/generate-session.js';

const ROOT = join(import.meta.dirname, '..', '..');
const facts = JSON.parse(readFileSync(join(SHARED, 'spec', 'teleport-events-schema.json'), 'utf8'));
const typeTable = JSON.parse(readFileSync(join(SHARED, 'spec', 'event-type-to-message.json'), 'utf8'));
const goldenLines = (file: string) => readFileSync(join(SHARED, 'fixtures', 'teleport-golden', file), 'utf8').trim().split('\n').map((l) => JSON.parse(l));

describe('wire schema', () => {
  it('the committed proto and descriptor table are what the generator makes from the facts', () => {
    const schema = buildSchema(facts, typeTable);
    expect(readFileSync(join(ROOT, 'proto', 'events.proto'), 'utf8')).toBe(renderProto(schema));
    expect(readFileSync(join(ROOT, 'lib', 'events', 'schema.generated.ts'), 'utf8')).toBe(renderDescriptors(schema));
  });

  it('proto/events.proto has every OneOf number and every field number and type of the facts', () => {
    const root = protobuf.parse(readFileSync(join(ROOT, 'proto', 'events.proto'), 'utf8'), { keepCase: true }).root;
    const oneof = root.lookupType('events.OneOf');
    expect(oneof.fieldsArray).toHaveLength(267);
    expect(facts.oneof).toHaveLength(267);
    for (const entry of facts.oneof) {
      expect(oneof.fields[entry.name]?.id, entry.name).toBe(entry.number);
    }
    for (const [name, fields] of Object.entries<{ num: number; name: string; type: string; label: string }[]>(facts.messages)) {
      if (name === 'OneOf') continue;
      const type = root.lookupType(`events.${name.replace(/\./g, '_')}`);
      for (const f of fields) {
        const field = type.fields[f.name];
        expect(field?.id, `${name}.${f.name}`).toBe(f.num);
        expect(field.repeated, `${name}.${f.name} repeated`).toBe(f.label === 'repeated');
        if (['string', 'bytes', 'bool', 'int32', 'int64', 'uint32', 'uint64'].includes(f.type)) expect(field.type).toBe(f.type);
      }
    }
    for (const [name, added] of Object.entries<[number, string][]>(facts.newer_fields)) {
      const type = root.lookupType(`events.${name}`);
      for (const [num, fname] of added) expect(type.fields[fname]?.id, `${name}.${fname}`).toBe(num);
    }
  });

  it('knows all 267 OneOf entries; 123 have a schema, the newer ones pass through as bytes', () => {
    expect(schemaTable.oneof).toHaveLength(267);
    expect(schemaTable.oneof.filter(([, , ref]) => ref).length).toBe(123);
  });
});

describe('OneOf records against Teleport\'s own encoder', () => {
  for (const file of ['test-session-3.golden.jsonl', 'test-session-3.v14dev-generator.golden.jsonl', 'audit-events.golden.jsonl']) {
    it(`${file}: every record decodes and re-encodes to the same bytes`, () => {
      let checked = 0;
      for (const line of goldenLines(file)) {
        if (!line.oneof_hex) continue;
        const event = decodeEvent(Buffer.from(line.oneof_hex, 'hex'));
        expect(event.$type, `line ${line.index}`).toBe(line.message);
        expect(Buffer.from(encodeEvent(event)).toString('hex'), `line ${line.index} ${line.message}`).toBe(line.oneof_hex);
        checked++;
      }
      expect(checked).toBeGreaterThanOrEqual(5);
    });
  }

  it('the generated test session encodes exactly like Teleport\'s generator', () => {
    const golden = goldenLines('test-session-3.golden.jsonl');
    const events = generateTestSession({ printEvents: 3, sessionId: '5c7d1a9e-5f3b-4f8a-9d2e-0123456789ab', serverId: '00000000-0000-4000-8000-000000000001' });
    expect(events.map((e) => Buffer.from(encodeEvent(e)).toString('hex'))).toEqual(golden.map((g) => g.oneof_hex));
  });

  it('gogo rules: empty non-nullable embedded messages and zero times are still written', () => {
    const bytes = encodeEvent({ $type: 'SessionStart', Metadata: { Type: 'session.start' } });
    // Metadata(1) with Type and a zero Go time, then empty User(2) Session(3) Server(4) Connection(5),
    // KubernetesCluster(7), KubernetesPod(8).
    expect(Buffer.from(bytes).toString('hex')).toBe(
      '2a2a0a1c120d73657373696f6e2e7374617274' + '2a0b088092b8c398feffffff01' + '1200' + '1a00' + '2200' + '2a00' + '3a00' + '4200',
    );
  });

  it('an independent decoder (protobufjs static code) reads our records', async () => {
    const { events: pb } = await import('../../proto/generated/events.pb.js' as string) as { events: { OneOf: protobuf.Type } };
    const events = generateTestSession({ printEvents: 3 });
    for (const event of events) {
      const decoded = (pb.OneOf as unknown as { decode(b: Uint8Array): Record<string, { Metadata: { Index: number; Type: string } }> }).decode(encodeEvent(event));
      const inner = decoded[event.$type as string];
      expect(Number(inner.Metadata.Index)).toBe(event.Metadata.Index);
      expect(inner.Metadata.Type).toBe(event.Metadata.Type);
    }
  });
});

describe('event values', () => {
  it('times keep nanoseconds through a round trip', () => {
    const time = Timestamp.parse('2024-01-15T10:20:30.123456789Z');
    const event = decodeEvent(encodeEvent({ $type: 'SessionPrint', Metadata: { Type: 'print', Time: time } }));
    expect(event.Metadata.Time).toEqual(time);
    expect(event.Metadata.Time.toISOString()).toBe('2024-01-15T10:20:30.123456789Z');
    expect(Timestamp.ZERO.toISOString()).toBe('0001-01-01T00:00:00Z');
    expect(Timestamp.parse('2020-03-30T08:58:54.5-07:00').toISOString()).toBe('2020-03-30T15:58:54.5Z');
  });

  it('an unknown OneOf number is kept as an opaque event and re-encodes to the same bytes', () => {
    const inner = Buffer.from('0a0a0803120677686174657618012203616263', 'hex');
    const record = Buffer.concat([Buffer.from([0xfa, 0x25]), Buffer.from([inner.length]), inner]); // field 607
    const event = decodeEvent(record);
    expect(event.$type).toBe('OneOf#607');
    expect(event.$oneof).toBe(607);
    expect(event.Metadata.Index).toBe(3);
    expect(Buffer.from(encodeEvent(event)).equals(record)).toBe(true);
  });

  it('a known but undescribed OneOf entry keeps its name', () => {
    const record = Buffer.from('f207020a00', 'hex'); // 126 AccessListCreate with an empty Metadata
    const event = decodeEvent(record);
    expect(event.$type).toBe('AccessListCreate');
    expect(Buffer.from(encodeEvent(event)).equals(record)).toBe(true);
  });

  it('unknown fields inside a known message survive a round trip', () => {
    const base = Buffer.from(encodeEvent({ $type: 'Resize', Metadata: { Type: 'resize' }, TerminalSize: '80:25' }));
    expect(base[1]).toBeLessThan(120);
    const extra = Buffer.from([0xf8, 0x07, 0x2a]); // field 127, varint 42
    const inner = Buffer.concat([base.subarray(2), extra]);
    const record = Buffer.concat([Buffer.from([0x4a, inner.length]), inner]);
    expect(decodeEvent(record).$unknown).toEqual(Buffer.from(extra));
    expect(Buffer.from(encodeEvent(decodeEvent(record))).equals(record)).toBe(true);
  });
});
