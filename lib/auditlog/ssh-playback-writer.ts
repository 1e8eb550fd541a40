// WriteForSSHPlayback: turns any recording into Teleport's SSH playback files — `<sid>.index`,
// `<sid>-0.events.gz` (JSON lines, events re-indexed from 0, print events without data) and
// `<sid>-0.chunks.gz` (the terminal bytes) — the form GetSessionChunk and GetSessionEvents serve.
import { randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream, promises as fsp } from 'node:fs';
import { once } from 'node:events';
import { join } from 'node:path';
import type { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip, createGzip } from 'node:zlib';
import { throwIfAborted } from '../errors.js';
import type { AuditEvent } from '../events/event.js';
import { EventFields, eventJsonLine } from './event-json.js';

/** Event types the TTY playback files leave out (enhanced recording and desktop frames). */
const SKIPPED_TYPES = new Set(['session.command', 'session.disk', 'session.network', 'desktop.recording']);

export function playbackIndexPath(dir: string, sessionId: string): string {
  return join(dir, `${sessionId}.index`);
}
export function playbackEventsPath(dir: string, sessionId: string): string {
  return join(dir, `${sessionId}-0.events.gz`);
}
export function playbackChunksPath(dir: string, sessionId: string): string {
  return join(dir, `${sessionId}-0.chunks.gz`);
}

async function put(stream: Writable, data: string | Uint8Array): Promise<void> {
  if (!stream.write(data)) await once(stream, 'drain');
}

export class SSHPlaybackWriter {
  readonly indexPath: string;
  readonly eventsPath: string;
  readonly chunksPath: string;

  constructor(readonly sessionId: string, readonly dir: string) {
    this.indexPath = playbackIndexPath(dir, sessionId);
    this.eventsPath = playbackEventsPath(dir, sessionId);
    this.chunksPath = playbackChunksPath(dir, sessionId);
  }

  /** Writes the files from the events; the index appears last, so its presence means complete. */
  async write(reader: AsyncIterable<AuditEvent>, signal?: AbortSignal): Promise<void> {
    await fsp.mkdir(this.dir, { recursive: true });
    const tmp = `.${randomUUID()}.tmp`;
    const eventsGz = createGzip();
    const chunksGz = createGzip();
    const eventsDone = pipeline(eventsGz, createWriteStream(this.eventsPath + tmp, { mode: 0o640 }));
    const chunksDone = pipeline(chunksGz, createWriteStream(this.chunksPath + tmp, { mode: 0o640 }));
    const index: string[] = [];
    let eventIndex = -1;
    let hasChunks = false;
    try {
      for await (const event of reader) {
        throwIfAborted(signal);
        const type = event.Metadata.Type;
        if (SKIPPED_TYPES.has(type)) continue;
        eventIndex++;
        if (eventIndex === 0) index.push(JSON.stringify({ file_name: `${this.sessionId}-0.events.gz`, type: 'events', index: 0, offset: 0 }));
        const copy = { ...event, Metadata: { ...event.Metadata, Index: eventIndex } } as AuditEvent;
        if (type === 'print') {
          if (!hasChunks) {
            hasChunks = true;
            index.push(JSON.stringify({ file_name: `${this.sessionId}-0.chunks.gz`, type: 'chunks', index: 0, offset: 0 }));
          }
          const data = copy.Data as Uint8Array | undefined;
          copy.Data = undefined;
          if (data && data.length) await put(chunksGz, data);
        }
        await put(eventsGz, `${eventJsonLine(copy)}\n`);
      }
      eventsGz.end();
      chunksGz.end();
      await Promise.all([eventsDone, chunksDone]);
    } catch (err) {
      eventsGz.destroy();
      chunksGz.destroy();
      await Promise.allSettled([eventsDone, chunksDone]);
      await Promise.allSettled([fsp.rm(this.eventsPath + tmp, { force: true }), fsp.rm(this.chunksPath + tmp, { force: true })]);
      throw err;
    }
    await fsp.rename(this.chunksPath + tmp, this.chunksPath);
    await fsp.rename(this.eventsPath + tmp, this.eventsPath);
    await fsp.writeFile(this.indexPath + tmp, index.map((l) => `${l}\n`).join(''), { mode: 0o640 });
    await fsp.rename(this.indexPath + tmp, this.indexPath);
  }

  /** Every event of the events file as EventFields. */
  async sessionEvents(): Promise<EventFields[]> {
    const text = await gunzipFile(this.eventsPath);
    return text.toString('utf8').split('\n').filter((l) => l.length > 0).map((l) => EventFields.parse(l));
  }

  /** The whole terminal output. */
  async sessionChunks(): Promise<Buffer> {
    return gunzipFile(this.chunksPath);
  }

  /** Up to `maxBytes` of terminal output from `offset`, decompressing only up to the range's end. */
  async readChunks(offset: number, maxBytes: number): Promise<Buffer> {
    const out: Buffer[] = [];
    let position = 0;
    let got = 0;
    if (maxBytes <= 0) return Buffer.alloc(0);
    const source = createReadStream(this.chunksPath).pipe(createGunzip());
    try {
      for await (const chunk of source as AsyncIterable<Buffer>) {
        const end = position + chunk.length;
        if (end > offset) {
          const from = Math.max(0, offset - position);
          const take = chunk.subarray(from, from + (maxBytes - got));
          out.push(Buffer.from(take));
          got += take.length;
          if (got >= maxBytes) break;
        }
        position = end;
      }
    } finally {
      source.destroy();
    }
    return Buffer.concat(out);
  }
}

async function gunzipFile(path: string): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const chunk of createReadStream(path).pipe(createGunzip()) as AsyncIterable<Buffer>) parts.push(chunk);
  return Buffer.concat(parts);
}

/** Reads every event from `reader` into SSH playback files in `dir` (the seed's WriteForSSHPlayback). */
export async function writeForSSHPlayback(sessionId: string, reader: AsyncIterable<AuditEvent>, dir: string, options: { signal?: AbortSignal } = {}): Promise<SSHPlaybackWriter> {
  const writer = new SSHPlaybackWriter(sessionId, dir);
  await writer.write(reader, options.signal);
  return writer;
}
