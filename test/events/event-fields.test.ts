import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { isAuditcastError } from '../../lib/errors.js';
import { EventFields, fromEventFields, toEventFields } from '../../lib/events/event-fields.js';
import { marshalEventJson } from '../../lib/events/event-json.js';
import { decodeEvent, encodeEvent } from '../../lib/events/oneof.js';
import { Timestamp } from '../../lib/events/timestamp.js';

const fixtures = new URL('../../../shared/fixtures/', import.meta.url);
const sessionFiles = ['test-session-3.golden.jsonl', 'test-session-3.v14dev-generator.golden.jsonl'];
const unhex = (s: string) => new Uint8Array(Buffer.from(s, 'hex'));
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

describe('test-session golden files', () => {
  for (const file of sessionFiles) {
    const lines = readFileSync(new URL(`teleport-golden/${file}`, fixtures), 'utf8').split('\n').filter(Boolean)
      .map((l) => JSON.parse(l) as { index: number; message: string; oneof_hex: string; json: Record<string, unknown> });
    it.each(lines.map((l) => [file, l.index, l.message, l] as const))('%s #%i %s: bytes -> JSON line', (_f, _i, message, l) => {
      const event = decodeEvent(unhex(l.oneof_hex));
      expect(event.$type).toBe(message);
      expect(marshalEventJson(event)).toBe(JSON.stringify(l.json));
    });
    it.each(lines.filter((l) => l.message !== 'SessionPrint').map((l) => [file, l.index, l.message, l] as const))(
      '%s #%i %s: JSON -> bytes',
      (_f, _i, _m, l) => {
        expect(hex(encodeEvent(fromEventFields(l.json)))).toBe(l.oneof_hex);
      },
    );
    it(`${file}: print JSON + data -> bytes`, () => {
      for (const l of lines.filter((x) => x.message === 'SessionPrint')) {
        const event = fromEventFields(l.json);
        event.Data = new TextEncoder().encode('hello'.repeat(l.index));
        expect(hex(encodeEvent(event))).toBe(l.oneof_hex);
        expect(marshalEventJson(event)).not.toContain('hello');
      }
    });
  }
});

describe('fromEventFields (dynamic_test)', () => {
  it('turns an unknown type into events.Unknown', () => {
    const event = fromEventFields({ event: 'suspicious-cert-event', code: 'foobar', time: '2024-01-02T03:04:05.5Z', uid: 'x<y>' });
    expect(event.$type).toBe('Unknown');
    expect(event.Metadata.Type).toBe('unknown');
    expect(event.Metadata.Code).toBe('TCC00E');
    expect(event.Metadata.ID).toBe('x<y>');
    expect(event.Metadata.Time).toEqual(Timestamp.parse('2024-01-02T03:04:05.5Z'));
    expect(event.UnknownType).toBe('suspicious-cert-event');
    expect(event.UnknownCode).toBe('foobar');
    // encoding/json of the fields: sorted keys, HTML escaped.
    expect(event.Data).toBe('{"code":"foobar","event":"suspicious-cert-event","time":"2024-01-02T03:04:05.5Z","uid":"x\\u003cy\\u003e"}');
    const line = JSON.parse(marshalEventJson(event));
    expect(line).toMatchObject({ event: 'unknown', code: 'TCC00E', unknown_event: 'suspicious-cert-event', unknown_code: 'foobar' });
    expect(decodeEvent(encodeEvent(event))).toEqual(event);
  });

  it('gives Unknown with empty type and code when there is no event field', () => {
    const event = fromEventFields({});
    expect(event.$type).toBe('Unknown');
    expect(event.UnknownType).toBe('');
    expect(event.UnknownCode).toBe('');
    expect(event.Data).toBe('{}');
  });

  it('maps print to SessionPrint and shared names to one message', () => {
    expect(fromEventFields({ event: 'print' }).$type).toBe('SessionPrint');
    expect(fromEventFields({ event: 'access_request.review' }).$type).toBe('AccessRequestCreate');
    expect(fromEventFields({ event: 'device.enroll' }).$type).toBe('DeviceEvent2');
  });

  it('matches keys case-insensitively when no exact key exists, and ignores unknown keys', () => {
    const event = fromEventFields({ event: 'session.start', USER: 'alice', Login: 'bob', nope: 1 });
    expect((event.User as Record<string, unknown>).User).toBe('alice');
    expect((event.User as Record<string, unknown>).Login).toBe('bob');
  });

  it('rejects values of the wrong JSON type with BAD_PARAMETER', () => {
    const cases: Record<string, unknown>[] = [
      { event: 'session.start', user: 5 },
      { event: 'session.start', ei: '1' },
      { event: 'session.start', ei: 1.5 },
      { event: 'session.start', time: 1 },
      { event: 'session.start', time: 'yesterday' },
      { event: 'session.end', participants: 'bob' },
      { event: 'session.start', server_labels: { a: 1 } },
      { event: 'session.end', interactive: 'yes' },
      { event: 'user.login', attributes: [1] },
    ];
    for (const fields of cases) {
      let error: unknown;
      try { fromEventFields(fields); } catch (err) { error = err; }
      expect(isAuditcastError(error, 'BAD_PARAMETER'), JSON.stringify(fields)).toBe(true);
    }
  });
});

describe('EventFields', () => {
  const fields = new EventFields({
    event: 'session.start', uid: 'abc', code: 'T2000I', time: '2020-03-30T15:58:54.561Z', one: 1, frac: 2.9,
    neg: -2.9, s: 'str', list: ['a', 1, 'b'], login: 'bob', id: 7, bytes: 42,
  });

  it('has the seed getters', () => {
    expect(fields.getInt('one')).toBe(1);
    expect(fields.getInt('frac')).toBe(2);
    expect(fields.getInt('neg')).toBe(-2);
    expect(fields.getInt('missing')).toBe(0);
    expect(fields.getInt('s')).toBe(0);
    expect(fields.getString('s')).toBe('str');
    expect(fields.getString('missing')).toBe('');
    expect(fields.getString('one')).toBe('');
    expect(fields.getStrings('list')).toEqual(['a', 'b']);
    expect(fields.getStrings('missing')).toEqual([]);
    expect(fields.getTime('time').toISOString()).toBe('2020-03-30T15:58:54.561Z');
    expect(fields.getTime('missing').isZero()).toBe(true);
    expect(fields.getTimestamp().toISOString()).toBe('2020-03-30T15:58:54.561Z');
    expect(fields.getType()).toBe('session.start');
    expect(fields.getId()).toBe('abc');
    expect(fields.getCode()).toBe('T2000I');
    expect(fields.hasField('one')).toBe(true);
    expect(fields.hasField('getInt')).toBe(false);
    expect(fields.asString()).toBe('session.start: login=bob, id=7, bytes=42');
  });

  it('serialises only its fields, sorted, without HTML escaping, floats as json-iterator', () => {
    const f = new EventFields({ b: '<&>', a: 0.1234567, c: 83886080.5, d: 1e-7, e: [1, null] });
    expect(Object.keys(f)).toEqual(['b', 'a', 'c', 'd', 'e']);
    expect(marshalEventJson(f)).toBe('{"a":0.123457,"b":"<&>","c":83886080.5,"d":0,"e":[1,null]}');
    expect(f.toJSONLine()).toBe(marshalEventJson(f));
    expect(marshalEventJson({ z: 1, y: 'x\u0008\u000c\u2028' })).toBe('{"y":"x\\u0008\\u000c\u2028","z":1}');
  });

  it('toEventFields is the JSON form parsed', () => {
    const event = fromEventFields({ event: 'session.start', code: 'T2000I', user: 'alice', time: '2020-03-30T15:58:54.561Z' });
    const f = toEventFields(event);
    expect(f).toBeInstanceOf(EventFields);
    expect(f.getString('user')).toBe('alice');
    expect(f.getTimestamp().toISOString()).toBe('2020-03-30T15:58:54.561Z');
    expect(f.getInt('ei')).toBe(0);
    expect(EventFields.parse(marshalEventJson(event))).toEqual(f);
    expect(() => EventFields.parse('[1]')).toThrow(/object/);
  });
});

describe('LockTarget (types.LockTarget, hand-supplied)', () => {
  it('encodes each field under its own number and JSON name', () => {
    const names = ['User', 'Role', 'Login', 'Node', 'MFADevice', 'WindowsDesktop', 'AccessRequest', 'Device', 'ServerID'];
    const json = ['user', 'role', 'login', 'node', 'mfa_device', 'windows_desktop', 'access_request', 'device', 'server_id'];
    names.forEach((name, i) => {
      const event = fromEventFields({ event: 'lock.created', target: { [json[i]!]: 'x' } });
      expect((event.Target as Record<string, unknown>)[name]).toBe('x');
      const bytes = encodeEvent(event);
      // ... 22 03 <tag of field i+1> 01 78 (Target = field 4 of LockCreate)
      expect(hex(bytes).endsWith(`2203${((i + 1) << 3 | 2).toString(16).padStart(2, '0')}0178`)).toBe(true);
      expect(JSON.parse(marshalEventJson(decodeEvent(bytes))).target).toEqual({ [json[i]!]: 'x' });
    });
  });
});

describe('real Teleport session JSON (teleport-web *.tty.events.json)', () => {
  for (const name of ['vim', 'npm']) {
    it(`${name}: every input key survives JSON -> typed -> bytes -> typed -> JSON`, () => {
      const events = JSON.parse(readFileSync(new URL(`teleport-web/${name}.tty.events.json`, fixtures), 'utf8')) as Record<string, unknown>[];
      for (const input of events) {
        const typed = fromEventFields(input);
        const line = marshalEventJson(decodeEvent(encodeEvent(typed)));
        expect(line).toBe(marshalEventJson(typed));
        const out = JSON.parse(line) as Record<string, unknown>;
        for (const key of Object.keys(input)) expect(out[key], `${input.event}.${key}`).toEqual(input[key]);
      }
    });
  }
});

describe('opaque events (OneOf numbers without a schema)', () => {
  it('keep their Metadata in the JSON form and their bytes on the wire', () => {
    const inner = encodeEvent(fromEventFields({ event: 'x.y', ei: 3, uid: 'u', code: 'C1I', time: '2024-05-06T07:08:09.1Z', cluster_name: 'c' }));
    // Re-wrap the Unknown body (OneOf 80) under number 500, which the schema does not describe.
    let pos = 0;
    while (inner[pos]! & 0x80) pos++; // OneOf tag
    pos++;
    while (inner[pos]! & 0x80) pos++; // length
    pos++;
    const body = inner.subarray(pos);
    const record = new Uint8Array([0xa2, 0x1f, ...encodeLength(body.length), ...body]);
    const event = decodeEvent(record);
    expect(event.$type).not.toBe('Unknown');
    expect(JSON.parse(marshalEventJson(event))).toEqual({
      ei: 3, event: 'unknown', uid: 'u', code: 'TCC00E', time: '2024-05-06T07:08:09.1Z', cluster_name: 'c',
    });
    expect(hex(encodeEvent(event))).toBe(hex(record));
  });
});

function encodeLength(n: number): number[] {
  const out: number[] = [];
  while (n >= 0x80) { out.push((n & 0x7f) | 0x80); n >>>= 7; }
  out.push(n);
  return out;
}

describe('hostile keys', () => {
  it('keeps "__proto__" and method-named keys as plain data', () => {
    const f = EventFields.parse('{"__proto__":{"x":1},"getTime":"oops","time":"2020-01-01T00:00:00Z","event":"session.start","server_labels":{"__proto__":"v"}}');
    expect(f).toBeInstanceOf(EventFields);
    expect(Object.keys(f)).toContain('__proto__');
    expect(f.hasField('getTime')).toBe(true);
    const event = fromEventFields(f);
    expect(Object.keys((event.Server as { ServerLabels: object }).ServerLabels)).toEqual(['__proto__']);
    const back = decodeEvent(encodeEvent(event));
    expect(Object.keys((back.Server as { ServerLabels: object }).ServerLabels)).toEqual(['__proto__']);
    expect(marshalEventJson(back)).toContain('"server_labels":{"__proto__":"v"}');
  });
});
