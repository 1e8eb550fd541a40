// Loads the real sessions of ../shared: `script -T` captures (corpus/) and Teleport's legacy
// events.json + stream pairs (fixtures/teleport-web/), as print chunks with their timing.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AuditEvent } from '../../lib/events/event.js';
import { Timestamp } from '../../lib/events/timestamp.js';

export const SHARED = join(import.meta.dirname, '..', '..', '..', 'shared');
export const CORPUS = join(SHARED, 'corpus');
export const TELEPORT_WEB = join(SHARED, 'fixtures', 'teleport-web');

export interface Chunk {
  data: Buffer;
  /** Milliseconds since the previous chunk. */
  delayMs: number;
}

/** A `script -T` pair: the chunks between the header and trailer lines, with their delays. */
export function loadScriptSession(name: string): { chunks: Chunk[]; bytes: Buffer } {
  const typescript = readFileSync(join(CORPUS, `${name}.typescript`));
  const timing = readFileSync(join(CORPUS, `${name}.timing`), 'utf8').trim().split('\n');
  let pos = typescript.indexOf(0x0a) + 1;
  const start = pos;
  const chunks: Chunk[] = [];
  for (const line of timing) {
    const [seconds, count] = line.trim().split(/\s+/);
    const n = Number(count);
    chunks.push({ data: typescript.subarray(pos, pos + n), delayMs: Math.round(Number(seconds) * 1000) });
    pos += n;
  }
  return { chunks, bytes: typescript.subarray(start, pos) };
}

/** Print events for chunks, numbered from `firstIndex`, in Teleport's print form. */
export function chunksToPrints(chunks: readonly Chunk[], startMs = Date.UTC(2026, 0, 1), firstIndex = 0): AuditEvent[] {
  const events: AuditEvent[] = [];
  let offset = 0;
  let elapsed = 0;
  chunks.forEach((chunk, i) => {
    elapsed += chunk.delayMs;
    events.push({
      $type: 'SessionPrint',
      Metadata: { Index: firstIndex + i, Type: 'print', ID: '', Code: '', Time: Timestamp.fromMillis(startMs + elapsed), ClusterName: '' },
      ChunkIndex: i,
      Data: chunk.data,
      Bytes: chunk.data.length,
      DelayMilliseconds: elapsed,
      Offset: offset,
    });
    offset += chunk.data.length;
  });
  return events;
}

/** The print events of a teleport-web session with their data cut from the stream file. */
export function loadTeleportWebPrints(name: 'vim' | 'npm'): { prints: AuditEvent[]; stream: Buffer } {
  const stream = readFileSync(join(TELEPORT_WEB, `${name}.tty.stream`));
  const fields = JSON.parse(readFileSync(join(TELEPORT_WEB, `${name}.tty.events.json`), 'utf8')) as Record<string, unknown>[];
  const prints = fields.filter((f) => f.event === 'print').map((f): AuditEvent => {
    const offset = f.offset as number;
    const bytes = f.bytes as number;
    return {
      $type: 'SessionPrint',
      Metadata: { Index: f.ei as number, Type: 'print', ID: '', Code: '', Time: Timestamp.parse(f.time as string), ClusterName: '' },
      ChunkIndex: f.ci as number,
      Data: stream.subarray(offset, offset + bytes),
      Bytes: bytes,
      DelayMilliseconds: f.ms as number,
      Offset: offset,
    };
  });
  return { prints, stream };
}
