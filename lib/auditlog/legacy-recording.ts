// Teleport's legacy (pre-4.4) session recordings: a tarball of `<sid>.index` files (one per auth
// server that took part), gzipped JSON-lines events files (print events without data) and gzipped
// chunks files of raw terminal bytes at a session byte offset. Reading merges every server's
// files by event index and gives each print event its bytes back, so the session can be played
// or re-recorded in the ProtoStream format.
import { posix } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { badParameter, corrupted } from '../errors.js';
import type { AuditEvent } from '../events/event.js';
import { ProtoStreamer } from '../stream/proto-streamer.js';
import { MemoryUploader } from '../uploads/memory-uploader.js';
import { eventJsonLine, fieldsToEvent } from './event-json.js';
import { readTar, writeTar, type TarEntry } from './tar.js';

interface IndexEntry {
  file_name: string;
  type: string;
  index?: number;
  offset?: number;
}

interface ChunkFile {
  offset: number;
  data: Buffer;
}

function maybeGunzip(data: Buffer, name: string): Buffer {
  if (data.length >= 2 && data[0] === 0x1f && data[1] === 0x8b) {
    try {
      return gunzipSync(data);
    } catch (err) {
      throw corrupted(`legacy recording: ${name} is not valid gzip: ${(err as Error).message}`, err);
    }
  }
  return data;
}

function parseJsonLines(text: string, name: string): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  text.split('\n').forEach((line, i) => {
    if (line.trim() === '') return;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      throw corrupted(`legacy recording: ${name} line ${i + 1} is not JSON`);
    }
    if (value === null || typeof value !== 'object' || Array.isArray(value)) throw corrupted(`legacy recording: ${name} line ${i + 1} is not a JSON object`);
    out.push(value as Record<string, unknown>);
  });
  return out;
}

/** Print events get their bytes from the chunk files: `stream[offset, offset + bytes)`. */
class ChunkStore {
  private readonly files: ChunkFile[];
  constructor(files: ChunkFile[]) {
    this.files = [...files].sort((a, b) => a.offset - b.offset);
  }

  slice(offset: number, bytes: number, where: string): Buffer {
    if (bytes === 0) return Buffer.alloc(0);
    // the last file starting at or before `offset`
    let lo = 0;
    let hi = this.files.length - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (this.files[mid].offset <= offset) { found = mid; lo = mid + 1; } else hi = mid - 1;
    }
    const parts: Buffer[] = [];
    let at = offset;
    let left = bytes;
    for (let i = found; i >= 0 && i < this.files.length && left > 0; i++) {
      const file = this.files[i];
      if (file.offset > at) break;
      const from = at - file.offset;
      if (from >= file.data.length) continue;
      const take = file.data.subarray(from, from + left);
      parts.push(take);
      at += take.length;
      left -= take.length;
    }
    if (left > 0) throw corrupted(`legacy recording: ${where} needs bytes ${offset}..${offset + bytes} of the session stream, only ${bytes - left} found`);
    return parts.length === 1 ? Buffer.from(parts[0]) : Buffer.concat(parts);
  }
}

function num(v: unknown): number {
  return typeof v === 'number' && Number.isFinite(v) ? v : 0;
}

/** Events in Teleport's JSON form + the raw stream -> typed events with print data (index order kept). */
function rebuild(fieldsList: readonly Record<string, unknown>[], chunks: ChunkStore): AuditEvent[] {
  return fieldsList.map((fields) => {
    const event = fieldsToEvent(fields);
    if (event.Metadata.Type === 'print') {
      const offset = num(fields.offset);
      const bytes = num(fields.bytes);
      event.Data = chunks.slice(offset, bytes, `print event ei ${num(fields.ei)}`);
    }
    return event;
  });
}

/**
 * A legacy session given as its events (Teleport's JSON form, e.g. `*.tty.events.json`) and its raw
 * terminal stream -> typed events ready to record; print events carry their bytes.
 */
export function importLegacySession(events: readonly Record<string, unknown>[], stream: Uint8Array): AuditEvent[] {
  if (!Array.isArray(events)) throw badParameter('importLegacySession needs an array of events');
  const sorted = [...events].sort((a, b) => num(a.ei) - num(b.ei));
  return rebuild(sorted, new ChunkStore([{ offset: 0, data: Buffer.from(stream.buffer, stream.byteOffset, stream.byteLength) }]));
}

/** A tar archive is a legacy Teleport recording when it holds `<sid>.index` or `<sid>-N.events(.gz)` files. */
export function isLegacyRecordingTar(names: readonly string[]): boolean {
  return names.some((name) => /\.(?:index|events(?:\.gz)?)$/.test(name));
}

/** The words for a tar archive that is not a Teleport recording (the same wherever one is read). */
export function notTeleportTar(names: readonly string[]): string {
  const shown = names.length === 0 ? 'it holds no files' : `it holds ${names.slice(0, 3).join(', ')}${names.length > 3 ? ', ...' : ''}`;
  return `not a Teleport recording: the tar archive has no <session-id>.index or .events entries (${shown})`;
}

/** Typed events (index order) of a legacy tarball, merged across every auth server's index. */
export function readLegacyRecording(archive: Uint8Array): AuditEvent[] {
  const entries = readTar(archive);
  const byPath = new Map<string, TarEntry>(entries.map((e) => [posix.normalize(e.name), e]));
  const byBase = new Map<string, TarEntry[]>();
  for (const e of entries) {
    const base = posix.basename(e.name);
    byBase.set(base, [...(byBase.get(base) ?? []), e]);
  }
  const indexes = entries.filter((e) => e.name.endsWith('.index'));
  if (!isLegacyRecordingTar(entries.map((e) => e.name))) throw corrupted(notTeleportTar(entries.map((e) => e.name)));
  if (indexes.length === 0) throw corrupted('legacy recording: the tarball holds no <session>.index file');
  const find = (indexName: string, fileName: string): TarEntry => {
    const dir = posix.dirname(indexName);
    for (const candidate of [fileName, `${fileName}.gz`]) {
      const hit = byPath.get(posix.normalize(posix.join(dir, candidate)));
      if (hit) return hit;
    }
    for (const candidate of [fileName, `${fileName}.gz`]) {
      const hits = byBase.get(posix.basename(candidate));
      if (hits?.length === 1) return hits[0];
    }
    throw corrupted(`legacy recording: ${indexName} lists ${fileName}, which is not in the tarball`);
  };
  const fieldsList: Record<string, unknown>[] = [];
  const chunkFiles: ChunkFile[] = [];
  const seen = new Set<TarEntry>();
  for (const indexFile of indexes) {
    for (const raw of parseJsonLines(indexFile.data.toString('utf8'), indexFile.name)) {
      const entry = raw as unknown as IndexEntry;
      if (typeof entry.file_name !== 'string') throw corrupted(`legacy recording: ${indexFile.name} has an entry without file_name`);
      const file = find(indexFile.name, entry.file_name);
      if (seen.has(file)) continue;
      seen.add(file);
      const data = maybeGunzip(file.data, file.name);
      if (entry.type === 'chunks') chunkFiles.push({ offset: num(entry.offset), data });
      else fieldsList.push(...parseJsonLines(data.toString('utf8'), file.name));
    }
  }
  // merge servers: by event index, first copy of an index wins
  fieldsList.sort((a, b) => num(a.ei) - num(b.ei));
  const unique = fieldsList.filter((f, i) => i === 0 || num(f.ei) !== num(fieldsList[i - 1].ei));
  return rebuild(unique, new ChunkStore(chunkFiles));
}

/** Re-records a legacy tarball (or imported events) as a ProtoStream recording. */
export async function convertLegacyRecording(archiveOrEvents: Uint8Array | readonly AuditEvent[], options: { sessionId?: string; minUploadBytes?: number } = {}): Promise<Buffer> {
  const events = archiveOrEvents instanceof Uint8Array ? readLegacyRecording(archiveOrEvents) : archiveOrEvents;
  const sessionId = options.sessionId ?? 'legacy';
  const uploader = new MemoryUploader();
  const stream = await new ProtoStreamer({ uploader, minUploadBytes: options.minUploadBytes }).createAuditStream(sessionId);
  for (const event of events) await stream.recordEvent(event);
  await stream.complete();
  return uploader.download(sessionId);
}

/**
 * Writes events as a legacy tarball. `servers` splits the session between auth servers at the
 * given event indexes (each server gets its own directory, index, events and chunks files), as a
 * session handed from one auth server to another was stored.
 */
export function writeLegacyRecording(sessionId: string, events: readonly AuditEvent[], options: { splitAt?: readonly number[] } = {}): Buffer {
  const cuts = [0, ...(options.splitAt ?? []), Number.POSITIVE_INFINITY];
  const entries: TarEntry[] = [];
  let streamOffset = 0;
  for (let s = 0; s + 1 < cuts.length; s++) {
    const part = events.filter((e) => e.Metadata.Index >= cuts[s] && e.Metadata.Index < cuts[s + 1]);
    if (part.length === 0) continue;
    const dir = `server-${s + 1}`;
    const firstIndex = part[0].Metadata.Index;
    const chunkStart = streamOffset;
    const lines: string[] = [];
    const bytes: Buffer[] = [];
    for (const event of part) {
      if (event.Metadata.Type === 'print') {
        const data = Buffer.from((event.Data as Uint8Array | undefined) ?? new Uint8Array(0));
        bytes.push(data);
        lines.push(eventJsonLine({ ...event, Data: undefined, Offset: streamOffset, Bytes: data.length }));
        streamOffset += data.length;
      } else {
        lines.push(eventJsonLine(event));
      }
    }
    const eventsName = `${sessionId}-${firstIndex}.events.gz`;
    const chunksName = `${sessionId}-${chunkStart}.chunks.gz`;
    const index = [
      JSON.stringify({ file_name: eventsName, type: 'events', index: firstIndex, offset: 0 }),
      JSON.stringify({ file_name: chunksName, type: 'chunks', index: 0, offset: chunkStart }),
    ];
    entries.push(
      { name: `${dir}/${sessionId}.index`, data: Buffer.from(`${index.join('\n')}\n`) },
      { name: `${dir}/${eventsName}`, data: gzipSync(`${lines.join('\n')}\n`) },
      { name: `${dir}/${chunksName}`, data: gzipSync(Buffer.concat(bytes)) },
    );
  }
  return writeTar(entries);
}
