// Write-side user-path drivers shared by bench/user-write.ts and the child processes it starts
// (which run on dist/, so no TypeScript loader is in the measured process). Each driver records
// through the public classes exactly as the README tells users to.
import { randomUUID } from 'node:crypto';

/** A MemoryUploader that keeps part sizes only (500 sessions' parts would otherwise be the RSS). */
export function countingUploader(MemoryUploader) {
  return new (class extends MemoryUploader {
    bytes = 0;
    parts = 0;
    async uploadPart(upload, partNumber, body, options) {
      this.bytes += body.length;
      this.parts++;
      return super.uploadPart(upload, partNumber, new Uint8Array(0), options);
    }
  })();
}

/**
 * `sessions` SessionWriters in one process, each writing `bytesPerSession` one-byte prints taken
 * from `text`, interleaved (one byte per session per round), yielding to the event loop every
 * `yieldEvery` rounds as a server taking PTY reads would. `minUploadBytes` is the part size (default
 * the S3 5 MiB; a server recording to local disk uses 128 KiB, as Teleport's file streamer does).
 */
export async function manySessions(lib, { sessions, bytesPerSession, text, uploader, minUploadBytes, yieldEvery = 32 }) {
  const streamer = new lib.ProtoStreamer({ uploader, ...(minUploadBytes ? { minUploadBytes } : {}) });
  const writers = Array.from({ length: sessions }, () => new lib.SessionWriter({ sessionId: randomUUID(), streamer }));
  const resolved = writers[0].write(new Uint8Array(0));
  const bytes = Array.from({ length: 256 }, (_, b) => Uint8Array.of(b));
  const slow = [];
  for (let round = 0; round < bytesPerSession; round++) {
    const byte = bytes[text[round % text.length]];
    for (const writer of writers) {
      const queued = writer.write(byte);
      if (queued !== resolved) slow.push(queued);
    }
    if (round % yieldEvery === yieldEvery - 1) {
      if (slow.length) await Promise.all(slow.splice(0));
      await new Promise((r) => setImmediate(r));
    }
  }
  await Promise.all(slow);
  await Promise.all(writers.map((w) => w.complete()));
  return {
    events: sessions * bytesPerSession,
    lost: writers.reduce((n, w) => n + w.stats.lostEvents, 0),
    sessionIds: writers.map((w) => w.sessionId),
  };
}
