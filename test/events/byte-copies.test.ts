// Byte fields decoded with copies (ProtoReader's default copyData) share no memory with the record
// they came from, even though small ones are cut from shared slabs (lib/wire/byte-slab.ts).
import { describe, expect, it } from 'vitest';
import { decodeEvent, encodeEvent } from '../../lib/events/oneof.js';
import { Timestamp } from '../../lib/events/timestamp.js';
import type { SessionPrint } from '../../lib/events/event-types.generated.js';

function print(index: number, data: Uint8Array): SessionPrint {
  return {
    $type: 'SessionPrint',
    Metadata: { Index: index, Type: 'print', ID: '', Code: '', Time: new Timestamp(1_700_000_000, 0), ClusterName: '' },
    ChunkIndex: index, Data: data, Bytes: data.length, DelayMilliseconds: index, Offset: 0,
  };
}

describe('decoded byte copies', () => {
  it('outlive and ignore changes to their record, small and large, and never overlap each other', () => {
    const sizes = [0, 1, 7, 100, 4096, 8192, 8193, 20_000, 65_000, 3, 8192, 8192, 8192, 8192, 8192, 8192, 8192, 8192, 8192];
    const copies: { data: Uint8Array; want: Buffer }[] = [];
    sizes.forEach((size, i) => {
      const want = Buffer.alloc(size, (i * 37 + 11) & 0xff);
      const record = encodeEvent(print(i + 1, want));
      const event = decodeEvent(record) as SessionPrint;
      record.fill(0xee); // the copy must not see this
      copies.push({ data: event.Data as Uint8Array, want });
    });
    for (const { data, want } of copies) expect(Buffer.from(data).equals(want)).toBe(true);
    // Writing through every copy changes no other copy.
    copies.forEach(({ data }, i) => data.fill(i & 0xff));
    copies.forEach(({ data }, i) => expect(data.every((b) => b === (i & 0xff))).toBe(true));
  });

  it('with shareBytes are views into the record', () => {
    const record = encodeEvent(print(1, Buffer.from('abc')));
    const event = decodeEvent(record, 0, record.length, { shareBytes: true }) as SessionPrint;
    expect((event.Data as Uint8Array).buffer).toBe(record.buffer);
  });
});
