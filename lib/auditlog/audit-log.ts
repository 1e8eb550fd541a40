// AuditLog: the seed's combined facility. Audit events go to this server's FileLog under
// <data_dir>/log/<server-id>; searches cover every server's directory of a shared data dir;
// session recordings come from the uploader through a local playback cache.
import { checkOptions, type OptionsSchema } from '../options.js';
import type { CallOptions } from '../call-options.js';
import type { AuditLogSessionStreamer } from './session-streamer.js';
import { createReadStream, promises as fsp } from 'node:fs';
import { join } from 'node:path';
import { badParameter } from '../errors.js';
import type { AuditEvent, AuditEventInput } from '../events/event.js';
import { detectFormat, readRecordingHead } from '../stream/detect-format.js';
import type { MultipartUploader } from '../stream/multipart-uploader.js';
import { ProtoReader } from '../stream/proto-reader.js';
import {
  DefaultNamespace, MaxChunkBytes, PlaybackDir, PlaybackRecycleTtlMs, RecordsDir, SessionLogsDir, UploadDir,
} from './constants.js';
import type { EventFields } from './event-json.js';
import { FileLog, type FileLogOptions } from './file-log.js';
import type { AuditLogger } from './multi-log.js';
import { readLegacyRecording } from './legacy-recording.js';
import { PlaybackCache, checkSessionId } from './playback-cache.js';
import type { SearchFs } from './search-fs.js';
import type { EventSearcher, SearchEventsRequest, SearchResult, SearchSessionEventsRequest } from './search-types.js';
import { SSHPlaybackWriter } from './ssh-playback-writer.js';

export interface AuditLogOptions {
  /** Teleport's data_dir: logs go to <dataDir>/log. */
  dataDir: string;
  /** This auth server's id (host UUID): its daily files go to <dataDir>/log/<serverId>. */
  serverId: string;
  /** Where session recordings are stored. */
  uploader: MultipartUploader;
  clock?: () => number;
  /** Cached downloads older than this are deleted (default 12 h). */
  playbackRecycleTtlMs?: number;
  rotationPeriodMs?: number;
  maxScanTokenSize?: number;
  searchFs?: SearchFs;
  /**
   * Where audit events go and are searched instead of the local file log (Teleport's ExternalLog),
   * e.g. a PostgresLog shared by many servers; AuditLog closes it on close().
   */
  externalLog?: AuditLogger;
}

const OPTIONS: OptionsSchema<AuditLogOptions> = {
  dataDir: { kind: 'string', nonEmpty: true, required: true },
  serverId: { kind: 'string', nonEmpty: true, required: true },
  uploader: { kind: 'object', methods: ['download', 'downloadStream'], required: true },
  clock: { kind: 'function' },
  playbackRecycleTtlMs: { kind: 'number', min: Number.MIN_VALUE },
  rotationPeriodMs: { kind: 'integer', min: 1 }, // checked further by FileLog
  maxScanTokenSize: { kind: 'integer', min: 1 },
  searchFs: { kind: 'object', methods: ['readdir', 'open'] },
  externalLog: { kind: 'object', methods: ['emitAuditEvent', 'searchEvents', 'searchSessionEvents'] },
};
const NOT_SERVER_DIRS = new Set([PlaybackDir, UploadDir, RecordsDir]);


export class AuditLog implements EventSearcher, AuditLogSessionStreamer {
  readonly logDir: string;
  readonly playbackDir: string;
  readonly fileLog: FileLog;
  /** The log events go to and searches read: the external log when given, else fileLog. */
  readonly eventLog: AuditLogger;
  private readonly cache: PlaybackCache;
  private readonly ttlMs: number;
  private readonly clock: () => number;
  private readonly timer: NodeJS.Timeout;
  private closed = false;

  constructor(options: AuditLogOptions) {
    checkOptions<AuditLogOptions>('AuditLog', options, OPTIONS);
    if (/[/\\]/.test(options.serverId) || options.serverId.startsWith('.')) {
      throw badParameter(`AuditLog: option serverId ${JSON.stringify(options.serverId)} is not a directory name`);
    }
    if (NOT_SERVER_DIRS.has(options.serverId)) throw badParameter(`AuditLog: option serverId ${JSON.stringify(options.serverId)} is a reserved directory name`);
    this.logDir = join(options.dataDir, 'log');
    this.playbackDir = join(this.logDir, PlaybackDir, SessionLogsDir, DefaultNamespace);
    this.clock = options.clock ?? Date.now;
    this.ttlMs = options.playbackRecycleTtlMs ?? PlaybackRecycleTtlMs;
    const fileLogOptions: FileLogOptions = {
      dir: join(this.logDir, options.serverId),
      symlinkDir: this.logDir,
      clock: options.clock,
      rotationPeriodMs: options.rotationPeriodMs,
      maxScanTokenSize: options.maxScanTokenSize,
      searchFs: options.searchFs,
      searchDirs: () => this.serverDirs(),
    };
    for (const key of Object.keys(fileLogOptions) as (keyof FileLogOptions)[]) if (fileLogOptions[key] === undefined) delete fileLogOptions[key];
    this.fileLog = new FileLog(fileLogOptions);
    this.eventLog = options.externalLog ?? this.fileLog;
    this.cache = new PlaybackCache(this.playbackDir, options.uploader, this.ttlMs, this.clock);
    this.timer = setInterval(() => { void this.recyclePlaybacks().catch(() => undefined); }, Math.max(1000, Math.min(this.ttlMs, 60 * 60 * 1000)));
    this.timer.unref();
  }

  /** Every auth server's directory: the subdirectories of <dataDir>/log but playbacks, upload, records. */
  private async serverDirs(): Promise<string[]> {
    let entries;
    try {
      entries = await fsp.readdir(this.logDir, { withFileTypes: true });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw err;
    }
    return entries.filter((e) => e.isDirectory() && !NOT_SERVER_DIRS.has(e.name)).map((e) => join(this.logDir, e.name)).sort();
  }

  get currentFile(): string {
    return this.fileLog.currentFile;
  }

  get currentFileSymlink(): string {
    return this.fileLog.currentFileSymlink;
  }

  emitAuditEvent(event: AuditEventInput): Promise<void> {
    return this.eventLog.emitAuditEvent(event);
  }

  searchEvents(request: SearchEventsRequest): Promise<SearchResult> {
    return this.eventLog.searchEvents(request);
  }

  searchSessionEvents(request: SearchSessionEventsRequest): Promise<SearchResult> {
    return this.eventLog.searchSessionEvents(request);
  }

  /** Events of a recorded session with index >= startIndex, read from a local copy of the recording. */
  async *streamSessionEvents(sessionId: string, startIndex = 0, options: CallOptions = {}): AsyncGenerator<AuditEvent> {
    for await (const event of this.recordingEvents(sessionId, options.signal)) {
      if (event.Metadata.Index >= startIndex) yield event;
    }
  }

  private async *recordingEvents(sessionId: string, signal?: AbortSignal): AsyncGenerator<AuditEvent> {
    const path = await this.cache.fetch(sessionId, signal);
    const head = await readRecordingHead(path);
    if (head.length === 0) return;
    if (detectFormat(head).format === 'legacy-tar') {
      yield* readLegacyRecording(await fsp.readFile(path));
      return;
    }
    const stream = createReadStream(path);
    try {
      yield* new ProtoReader(stream, { signal });
    } finally {
      stream.destroy();
    }
  }

  /** The session's SSH playback files, built once from the recording and shared by callers. */
  private playback(sessionId: string, signal?: AbortSignal): Promise<SSHPlaybackWriter> {
    checkSessionId(sessionId);
    return this.cache.shared(`playback:${sessionId}`, async () => {
      const writer = new SSHPlaybackWriter(sessionId, this.playbackDir);
      try {
        const st = await fsp.stat(writer.indexPath);
        if (this.clock() - st.mtimeMs < this.ttlMs) return writer;
      } catch {
        // not built yet
      }
      await writer.write(this.recordingEvents(sessionId, signal), signal);
      return writer;
    });
  }

  /** Terminal output bytes [offset, offset + maxBytes) of a session (maxBytes is rounded down to MaxChunkBytes, 5 MiB). */
  async getSessionChunk(sessionId: string, offset: number, maxBytes: number, options: CallOptions = {}): Promise<Buffer> {
    if (!Number.isSafeInteger(offset) || offset < 0) throw badParameter(`offset must be a non-negative integer, got ${offset}`);
    if (!Number.isSafeInteger(maxBytes) || maxBytes < 0) throw badParameter(`maxBytes must be a non-negative integer, got ${maxBytes}`);
    const writer = await this.playback(sessionId, options.signal);
    // The seed: "If maxBytes > MaxChunkBytes, it gets rounded down to MaxChunkBytes".
    return writer.readChunks(offset, Math.min(maxBytes, MaxChunkBytes));
  }

  /** The session's events (print events without data) with index > after, as EventFields. */
  async getSessionEvents(sessionId: string, after = -1, options: CallOptions = {}): Promise<EventFields[]> {
    const writer = await this.playback(sessionId, options.signal);
    return (await writer.sessionEvents()).filter((f) => f.getInt('ei') > after);
  }

  /** Deletes playback files older than the TTL. */
  recyclePlaybacks(): Promise<number> {
    return this.cache.recycle();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.timer);
    await this.fileLog.close();
    if (this.eventLog !== this.fileLog) await this.eventLog.close?.();
  }
}
