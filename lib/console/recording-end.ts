// How long a recording lasts, without reading it: the clock is set from the events before the
// first output (as a full pass sets it), then run over the events of the last part only. Part
// headers say where the next part starts, so finding the last part reads 24 bytes per part. Parts
// are inflated a step at a time: neither read holds a whole part.
import { corrupted } from '../errors.js';
import { PART_HEADER_SIZE, PROTO_STREAM_V1 } from '../codec/part-format.js';
import { SessionClock } from '../screen/session-clock.js';
import { readRecordingFrom } from '../stream/positioned-reader.js';
import { openRecording } from '../stream/recording-file.js';

/** Byte offset of the last part header of a recording. */
export async function lastPartOffset(path: string, signal?: AbortSignal): Promise<number> {
  const handle = await openRecording(path);
  try {
    const size = (await handle.stat()).size;
    const header = Buffer.alloc(PART_HEADER_SIZE);
    let offset = 0;
    for (let parts = 0; ; parts++) {
      if ((parts & 255) === 255) signal?.throwIfAborted();
      const { bytesRead } = await handle.read(header, 0, PART_HEADER_SIZE, offset);
      if (bytesRead < PART_HEADER_SIZE || header.readBigUInt64BE(0) !== BigInt(PROTO_STREAM_V1)) {
        throw corrupted(`${path}: no part header at byte ${offset}`);
      }
      const next = offset + PART_HEADER_SIZE + Number(header.readBigUInt64BE(8)) + Number(header.readBigUInt64BE(16));
      if (next >= size) return offset;
      offset = next;
    }
  } finally {
    await handle.close();
  }
}

/** Seconds from the start to the last event, read from the first events and the last part. */
export async function recordingDuration(path: string, signal?: AbortSignal): Promise<number> {
  const clock = new SessionClock();
  let lastIndex = -1;
  for await (const { event } of readRecordingFrom(path, { signal, stepwise: true })) {
    clock.timeOf(event);
    lastIndex = event.Metadata.Index;
    if (event.Metadata.Type === 'print') break;
  }
  const tail = await lastPartOffset(path, signal);
  let t = clock.snapshot().lastMs;
  for await (const { event } of readRecordingFrom(path, { partOffset: tail, afterIndex: lastIndex, signal, stepwise: true })) t = clock.timeOf(event);
  return t / 1000;
}
