// The codec's wire numbers are the seed's: one source (the generated constants), which the codec
// layer, below lib/events, restates and this test holds equal.
import { describe, expect, it } from 'vitest';
import { MAX_RECORD_BYTES, PART_HEADER_SIZE, PROTO_STREAM_V1, RECORD_HEADER_SIZE } from '../../lib/codec/part-format.js';
import {
  MaxProtoMessageSizeBytes, ProtoStreamV1, ProtoStreamV1PartHeaderSize, ProtoStreamV1RecordHeaderSize,
} from '../../lib/events/constants.generated.js';

describe('part format constants', () => {
  it('equal the generated seed constants', () => {
    expect(PROTO_STREAM_V1).toBe(ProtoStreamV1);
    expect(PART_HEADER_SIZE).toBe(ProtoStreamV1PartHeaderSize);
    expect(RECORD_HEADER_SIZE).toBe(ProtoStreamV1RecordHeaderSize);
    expect(MAX_RECORD_BYTES).toBe(MaxProtoMessageSizeBytes);
  });
});
