// Teleport's pre-4.4 recordings (a tar of index, events and chunks files) in the console: each is
// converted on first open into a ProtoStream recording in a cache dir of ours (the recording
// stays where it is, untouched), and played, indexed and searched from there like any other. The
// copy's name carries the source's size and time, so a changed source is converted again.
import { randomUUID } from 'node:crypto';
import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import { convertLegacyRecording } from '../auditlog/legacy-recording.js';
import { AuditcastError, isAuditcastError } from '../errors.js';
import { detectFormat, readRecordingHead } from '../stream/detect-format.js';
import { readWholeRecording } from '../stream/recording-file.js';
import type { RecordingStore, StoredRecording } from './recordings.js';

/** Legacy archives are read whole (their layout needs it): larger ones are refused. */
export const MAX_LEGACY_ARCHIVE_BYTES = 256 * 1024 * 1024;

export class LegacyConvertingStore implements RecordingStore {
  readonly dir: string;
  private readonly converting = new Map<string, Promise<string>>();

  constructor(private readonly inner: RecordingStore, cacheDir: string, private readonly onError: (sessionId: string, err: Error) => void = () => {}) {
    this.dir = path.resolve(cacheDir);
  }

  async list(): Promise<StoredRecording[]> {
    const found: StoredRecording[] = [];
    for (const rec of await this.inner.list()) {
      try {
        found.push(await this.playable(rec));
      } catch (err) {
        this.onError(rec.sessionId, err as Error);
      }
    }
    return found;
  }

  async get(sessionId: string): Promise<StoredRecording> {
    return this.playable(await this.inner.get(sessionId));
  }

  /** The recording itself when it is a ProtoStream one; else its converted copy. */
  private async playable(rec: StoredRecording): Promise<StoredRecording> {
    let format;
    try {
      format = detectFormat(await readRecordingHead(rec.path));
    } catch (err) {
      // Unknown bytes are the reader's to report, where and what, when the recording is played.
      if (isAuditcastError(err, 'UNSUPPORTED')) return rec;
      throw err;
    }
    if (format.format !== 'legacy-tar') return rec;
    const target = path.join(this.dir, `${rec.sessionId}-${rec.bytes}-${Math.floor(rec.mtimeMs)}.tar`);
    let pending = this.converting.get(target);
    if (!pending) {
      pending = this.convert(rec, target).finally(() => this.converting.delete(target));
      this.converting.set(target, pending);
    }
    await pending;
    const st = await fsp.stat(target);
    return { sessionId: rec.sessionId, path: target, bytes: st.size, mtimeMs: rec.mtimeMs };
  }

  private async convert(rec: StoredRecording, target: string): Promise<string> {
    if (await fsp.stat(target).then((s) => s.isFile(), () => false)) return target;
    if (rec.bytes > MAX_LEGACY_ARCHIVE_BYTES) {
      throw new AuditcastError('LIMIT_EXCEEDED', `legacy recording ${rec.path} is ${rec.bytes} bytes; the console converts legacy recordings up to ${MAX_LEGACY_ARCHIVE_BYTES} bytes (convert it with 'auditcast import --from legacy')`);
    }
    await fsp.mkdir(this.dir, { recursive: true, mode: 0o700 });
    let converted: Buffer;
    try {
      converted = await convertLegacyRecording(await readWholeRecording(rec.path), { sessionId: rec.sessionId });
    } catch (err) {
      if (err instanceof AuditcastError) throw new AuditcastError(err.code, `${rec.path}: ${err.message}`, { cause: err });
      throw err;
    }
    const temp = `${target}.${randomUUID()}.tmp`;
    try {
      await fsp.writeFile(temp, converted, { flag: 'wx', mode: 0o600 });
      await fsp.rename(temp, target);
    } catch (err) {
      await fsp.rm(temp, { force: true });
      throw err;
    }
    // Copies of earlier versions of the same recording are not needed any more.
    for (const name of await fsp.readdir(this.dir)) {
      const m = /^(.+)-\d+-\d+\.tar$/.exec(name);
      if (m?.[1] === rec.sessionId && path.join(this.dir, name) !== target) await fsp.rm(path.join(this.dir, name), { force: true });
    }
    return target;
  }
}
