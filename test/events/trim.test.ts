import { describe, expect, it } from 'vitest';
import { MaxProtoMessageSizeBytes } from '../../lib/events/constants.generated.js';
import type { AuditEvent } from '../../lib/events/event.js';
import { oneofByMessage } from '../../lib/events/event.js';
import { eventSize } from '../../lib/events/event-size.js';
import { fromEventFields } from '../../lib/events/event-fields.js';
import { getMessage, type CompiledMessage, type MessageValue } from '../../lib/events/message-codec.js';
import { decodeEvent, encodeEvent } from '../../lib/events/oneof.js';
import { Timestamp } from '../../lib/events/timestamp.js';
import { isMetadataMessage, trimStr, trimToMaxSize, trimmablePaths } from '../../lib/events/trim.js';

const LONG = 'umai'.repeat(170);
const SHORT = 'some metadata';

/** events_test.go's filler: long strings outside metadata messages, short ones inside. */
function fill(message: CompiledMessage, meta: boolean): MessageValue {
  const out: MessageValue = {};
  const text = meta ? SHORT : LONG;
  for (const f of message.fields) {
    const one = (): unknown => {
      switch (f.kind) {
        case 'string': return text;
        case 'bytes': return new TextEncoder().encode('some bytes');
        case 'bool': return true;
        case 'int32': case 'int64': case 'enum': return 6;
        case 'uint32': case 'uint64': case 'uint32value': case 'uint64value': return 7;
        case 'double': return 3.14;
        case 'timestamp': return Timestamp.parse('2024-01-02T03:04:05.006Z');
        case 'map': return { key: text };
        case 'traits': return { key: [text] };
        case 'struct': return { key: text };
        case 'message': return fill(getMessage(f.ref!), isMetadataMessage(f.ref!));
        default: return undefined;
      }
    };
    const v = one();
    if (v === undefined) continue;
    out[f.name] = f.repeated ? [v] : v;
  }
  return out;
}

const messages = [...oneofByMessage.keys()].sort();

describe('trimStr', () => {
  it('counts quotes and escapes like a JSON string', () => {
    // "abc" is 5 characters quoted.
    expect(trimStr('abcdef', 5)).toBe('abc');
    expect(trimStr('abcdef', 100)).toBe('abcdef');
    expect(trimStr('a"b', 5)).toBe('a"');
    expect(trimStr('a\\b', 6)).toBe('a\\b');
    expect(trimStr('a\\b', 5)).toBe('a\\');
    expect(trimStr('abc', 0)).toBe('');
    expect(trimStr('abc', -5)).toBe('');
    expect(trimStr('ééé', 4)).toBe('éé');
    expect(trimStr('😀😀😀', 4)).toBe('😀😀');
  });
});

describe('trimToMaxSize (events_test.go TestTrimToMaxSize)', () => {
  let trimmedCount = 0;
  it.each(messages)('%s', (message) => {
    const event = { $type: message, ...fill(getMessage(message), false) } as unknown as AuditEvent;
    // DeviceEvent and DeviceEvent2 name their metadata field `metadata`.
    const metadataKey = getMessage(message).byName.has('Metadata') ? 'Metadata' : 'metadata';
    event[metadataKey] = { Index: 6, Type: SHORT, ID: SHORT, Code: SHORT, Time: Timestamp.parse('2024-01-02T03:04:05Z'), ClusterName: SHORT };
    const size = eventSize(event);
    const maxSize = Math.trunc(size * 0.8);
    const trimmed = trimToMaxSize(event, maxSize);
    if (trimmed === event) {
      expect(trimmablePaths(message).every((p) => p.length > 0)).toBe(true);
      return; // nothing this event holds can be trimmed
    }
    trimmedCount++;
    expect(eventSize(trimmed)).toBeLessThanOrEqual(maxSize);
    expect(trimmed[metadataKey]).toEqual(event[metadataKey]);
    expect(eventSize(event)).toBe(size); // the input is not modified
    expect(decodeEvent(encodeEvent(trimmed)).$type).toBe(message);
  });
  it('trims every event type that has free text', () => {
    expect(trimmedCount).toBeGreaterThan(55);
  });

  it('returns small events unchanged', () => {
    const event = fromEventFields({ event: 'exec', command: 'ls' });
    expect(trimToMaxSize(event, 1000)).toBe(event);
  });

  it('leaves SessionPrint alone', () => {
    const event = fromEventFields({ event: 'print' });
    event.Data = new Uint8Array(70_000);
    expect(trimToMaxSize(event, 1000)).toBe(event);
  });

  it('size is the event message, not the OneOf record', () => {
    const event = fromEventFields({ event: 'session.start', user: 'alice' });
    const record = encodeEvent(event);
    expect(eventSize(event)).toBe(record.length - 2);
  });

  it('trims a DatabaseSessionQuery with a 65,536-byte query under 64 KiB', () => {
    const event = fromEventFields({
      event: 'db.session.query', code: 'TDB02I', uid: 'id-1', cluster_name: 'c', user: 'alice',
      db_query: 'x'.repeat(65_536), db_query_parameters: ['p1', 'y'.repeat(1000)],
    });
    expect(eventSize(event)).toBeGreaterThan(MaxProtoMessageSizeBytes);
    const trimmed = trimToMaxSize(event, MaxProtoMessageSizeBytes);
    expect(eventSize(trimmed)).toBeLessThanOrEqual(MaxProtoMessageSizeBytes);
    expect((trimmed.DatabaseQuery as string).length).toBeGreaterThan(10_000);
    expect(trimmed.DatabaseQueryParameters).toHaveLength(2);
    expect((trimmed.DatabaseQueryParameters as string[])[0]).toBe('p1');
    expect(trimmed.Metadata).toEqual(event.Metadata);
    expect((event.DatabaseQuery as string).length).toBe(65_536);
  });

  it('cannot trim an AccessRequestDelete whose RequestID is 65,536 bytes', () => {
    const event = fromEventFields({ event: 'access_request.delete', id: 'r'.repeat(65_536) });
    expect(event.$type).toBe('AccessRequestDelete');
    expect(event.RequestID).toHaveLength(65_536);
    const trimmed = trimToMaxSize(event, MaxProtoMessageSizeBytes);
    expect(eventSize(trimmed)).toBeGreaterThan(MaxProtoMessageSizeBytes);
    expect(trimmed.RequestID).toBe(event.RequestID);
  });

  it('UserLogin trims Status.Error and Status.UserMessage', () => {
    const event = fromEventFields({ event: 'user.login', error: 'e'.repeat(5000), message: 'm'.repeat(5000), method: 'local' });
    const trimmed = trimToMaxSize(event, 2000);
    expect(eventSize(trimmed)).toBeLessThanOrEqual(2000);
    expect(trimmed.Method).toBe('local');
    const status = trimmed.Status as { Error: string; UserMessage: string };
    expect(status.Error.length).toBe(status.UserMessage.length);
    expect(status.Error.length).toBeGreaterThan(500);
  });
});
