import { describe, expect, it } from 'vitest';
import { AuditcastError, badParameter } from '../../lib/errors.js';
import { byTimeAndIndex } from '../../lib/events/by-time-and-index.js';
import { EventFields, fromEventFields } from '../../lib/events/event-fields.js';
import { getSessionId, getTeleportUser } from '../../lib/events/event-getters.js';
import { decodeEvent } from '../../lib/events/oneof.js';
import { isPermanentEmitError } from '../../lib/events/permanent-error.js';
import { isValidNamespace, validateServerMetadata } from '../../lib/events/validate-server-metadata.js';

describe('getSessionId / getTeleportUser', () => {
  it('reads embedded metadata and gives "" for events without it', () => {
    const start = fromEventFields({ event: 'session.start', sid: 's-1', user: 'user-1' });
    expect(getSessionId(start)).toBe('s-1');
    expect(getTeleportUser(start)).toBe('user-1');
    const join = fromEventFields({ event: 'instance.join', user: 'ignored' });
    expect(join.$type).toBe('InstanceJoin');
    expect(getTeleportUser(join)).toBe('');
    expect(getSessionId(fromEventFields({ event: 'user.create', user: 'u' }))).toBe('');
    // Hand-built events typed by Metadata.Type.
    expect(getTeleportUser({ Metadata: { Type: 'session.start' }, User: { User: 'bob' } })).toBe('bob');
    expect(getSessionId({ Metadata: { Type: 'no.such' } })).toBe('');
    // Opaque events (OneOf numbers this schema does not know).
    const opaque = decodeEvent(new Uint8Array([0xfa, 0x3f, 0x02, 0x0a, 0x00]));
    expect(getSessionId(opaque)).toBe('');
  });
});

describe('byTimeAndIndex', () => {
  it('sorts by time, then by index within a session', () => {
    const t = '2020-01-01T00:00:00Z';
    const list = [
      new EventFields({ time: '2020-01-01T00:00:01Z', ei: 0, sid: 'a', n: 1 }),
      new EventFields({ time: t, ei: 2, sid: 'a', n: 2 }),
      new EventFields({ time: t, ei: 1, sid: 'a', n: 3 }),
      { time: '2019-12-31T23:59:59.999999999Z', ei: 9, sid: 'b', n: 4 },
    ];
    const sorted = [...list].sort(byTimeAndIndex).map((f) => f.n);
    expect(sorted).toEqual([4, 3, 2, 1]);
    const hostile = EventFields.parse('{"getTime":1,"getInt":2,"time":"2020-01-01T00:00:00Z"}');
    expect(byTimeAndIndex(hostile, list[0]!)).toBeLessThan(0);
  });
});

describe('validateServerMetadata', () => {
  const event = (server: Record<string, string>) => fromEventFields({ event: 'session.start', ...server });
  it('accepts the own server, a forwarding proxy and events without ServerMetadata', () => {
    expect(() => validateServerMetadata(event({ server_id: 'n1' }), 'n1')).not.toThrow();
    expect(() => validateServerMetadata(event({ server_id: 'n1', forwarded_by: 'p1' }), 'p1', true)).not.toThrow();
    expect(() => validateServerMetadata(fromEventFields({ event: 'user.create' }), 'x')).not.toThrow();
  });
  it('rejects other servers and bad namespaces with BAD_PARAMETER', () => {
    expect(() => validateServerMetadata(event({ server_id: 'n2' }), 'n1')).toThrow(/can't emit event with server ID "n2"/);
    expect(() => validateServerMetadata(event({ server_id: 'n1', forwarded_by: 'p1' }), 'n1')).toThrow(AuditcastError);
    expect(() => validateServerMetadata(event({ server_id: 'n1', forwarded_by: 'p1' }), 'p1', false)).toThrow(AuditcastError);
    expect(() => validateServerMetadata(event({ server_id: 'n1', namespace: 'bad ns' }), 'n1')).toThrow(/invalid namespace/);
    expect(isValidNamespace('default')).toBe(true);
    expect(isValidNamespace('')).toBe(false);
  });
});

describe('isPermanentEmitError (TestIsPermanentEmitError)', () => {
  const bp = () => badParameter('bad');
  const denied = () => new AuditcastError('ACCESS_DENIED', 'denied');
  const wrap = (e: unknown) => new Error('wrapped', { cause: e });
  it('follows Teleport', () => {
    expect(isPermanentEmitError(bp())).toBe(true);
    expect(isPermanentEmitError(new AggregateError([bp(), null]))).toBe(true);
    expect(isPermanentEmitError(new AggregateError([bp(), bp()]))).toBe(true);
    expect(isPermanentEmitError(new AggregateError([bp(), denied()]))).toBe(false);
    expect(isPermanentEmitError(new AggregateError([denied(), bp()]))).toBe(false);
    expect(isPermanentEmitError(wrap(new AggregateError([wrap(bp()), wrap(bp())])))).toBe(true);
    expect(isPermanentEmitError(wrap(new AggregateError([wrap(bp()), wrap(denied())])))).toBe(false);
    expect(isPermanentEmitError(denied())).toBe(false);
    expect(isPermanentEmitError(new Error('plain'))).toBe(false);
    expect(isPermanentEmitError(undefined)).toBe(false);
  });
});
