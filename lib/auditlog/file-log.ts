// FileLog: Teleport's local JSON-lines audit log. One file per UTC day in `dir`, an `events.log`
// symlink to the current file, one FastMarshal line per event, lines capped at
// maxScanTokenSize (trimmed first, refused when they still do not fit), and streaming search.
import { checkOptions, type OptionsSchema } from '../options.js';
import { constants as fsConstants, promises as fsp } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { AuditcastError, badParameter } from '../errors.js';
import { fsError, openFile } from '../safe-fs.js';
import type { AuditEventInput } from '../events/event.js';
import {
  LogRotationPeriodMs, MaxScanTokenSize, SessionRecordingEvents, SymlinkFilename, DAY_MS,
} from './constants.js';
import { eventJsonLine, trimToMaxSize } from './event-json.js';
import { auditStoredTrimmedEvents } from '../metrics.js';
import { logFileName, utcDayStart } from './file-time.js';
import { searchFiles } from './search-files.js';
import { nodeSearchFs, type SearchFs } from './search-fs.js';
import type { EventSearcher, SearchEventsRequest, SearchPageQuery, SearchResult, SearchSessionEventsRequest } from './search-types.js';
import { checkSearchEventsRequest, checkSearchSessionEventsRequest } from './search-request.js';

export interface FileLogOptions {
  /** Directory of the daily files (Teleport: <data_dir>/log/<host-uuid>). */
  dir: string;
  /** Directory of the events.log symlink (default: the parent of `dir`). */
  symlinkDir?: string;
  /** Current time in ms (tests inject a fake clock). */
  clock?: () => number;
  /** Search window slack around each day; a multiple of 24 h (default 24 h). */
  rotationPeriodMs?: number;
  /** Longest line written or read (default 65,536). */
  maxScanTokenSize?: number;
  /** Directories searched (default: [dir]); AuditLog passes every server's directory. */
  searchDirs?: () => readonly string[] | Promise<readonly string[]>;
  /** File system used by search (tests count reads through it). */
  searchFs?: SearchFs;
  /** Events per file held to put a file's lines in time order while merging (default 1024). */
  reorderWindow?: number;
  /**
   * When a page met events out of order beyond the window, it is read again with a 16 times
   * larger window, up to this many events per file (default 16,384); past it the page is
   * returned with `stats.outOfOrder` > 0.
   */
  maxReorderWindow?: number;
}

export interface FileLogStats {
  /** Lines written. */
  emitted: number;
  /** Events trimmed to fit the line limit (counted in teleport_audit_stored_trimmed_events). */
  trimmed: number;
  /** Events refused because they did not fit even after trimming. */
  rejected: number;
}

const OPTIONS: OptionsSchema<FileLogOptions> = {
  dir: { kind: 'string', nonEmpty: true, required: true },
  symlinkDir: { kind: 'string', nonEmpty: true },
  clock: { kind: 'function' },
  rotationPeriodMs: { kind: 'integer', min: 1 },
  maxScanTokenSize: { kind: 'integer', min: 1 },
  searchDirs: { kind: 'function' },
  searchFs: { kind: 'object', methods: ['readdir', 'open'] },
  reorderWindow: { kind: 'integer', min: 1 },
  maxReorderWindow: { kind: 'integer', min: 1 },
};

export class FileLog implements EventSearcher {
  readonly dir: string;
  readonly symlinkDir: string;
  readonly rotationPeriodMs: number;
  readonly maxScanTokenSize: number;
  readonly stats: FileLogStats = { emitted: 0, trimmed: 0, rejected: 0 };
  private readonly clock: () => number;
  private readonly searchDirs?: () => readonly string[] | Promise<readonly string[]>;
  private readonly searchFs: SearchFs;
  private readonly reorderWindow: number;
  private readonly maxReorderWindow: number;
  private file: FileHandle | null = null;
  private fileDay = Number.NaN;
  private filePath = '';
  private queue: Promise<unknown> = Promise.resolve();
  private closed = false;

  constructor(options: FileLogOptions) {
    checkOptions<FileLogOptions>('FileLog', options, OPTIONS);
    this.dir = resolve(options.dir);
    this.symlinkDir = resolve(options.symlinkDir ?? dirname(this.dir));
    this.clock = options.clock ?? Date.now;
    this.rotationPeriodMs = options.rotationPeriodMs ?? LogRotationPeriodMs;
    if (this.rotationPeriodMs % DAY_MS !== 0) {
      throw badParameter(`FileLog: option rotationPeriodMs must be a multiple of 24h, got ${options.rotationPeriodMs}`);
    }
    this.maxScanTokenSize = options.maxScanTokenSize ?? MaxScanTokenSize;
    this.reorderWindow = options.reorderWindow ?? 1024;
    this.maxReorderWindow = options.maxReorderWindow ?? Math.max(16_384, this.reorderWindow);
    if (this.maxReorderWindow < this.reorderWindow) {
      throw badParameter(`FileLog: option maxReorderWindow must be >= reorderWindow (${this.reorderWindow}), got ${options.maxReorderWindow}`);
    }
    this.searchDirs = options.searchDirs;
    this.searchFs = options.searchFs ?? nodeSearchFs;
  }

  /** Path of the file being written ('' before the first event). */
  get currentFile(): string {
    return this.filePath;
  }

  /** Path of the events.log symlink. */
  get currentFileSymlink(): string {
    return join(this.symlinkDir, SymlinkFilename);
  }

  /** Appends the event as one line; writes from one process are serialized. */
  emitAuditEvent(event: AuditEventInput): Promise<void> {
    const run = this.queue.then(() => this.write(event));
    this.queue = run.catch(() => undefined);
    return run;
  }

  private line(event: AuditEventInput): string {
    let line = eventJsonLine(event);
    if (Buffer.byteLength(line) > this.maxScanTokenSize) {
      line = eventJsonLine(trimToMaxSize(event, this.maxScanTokenSize));
      const size = Buffer.byteLength(line);
      if (size > this.maxScanTokenSize) {
        this.stats.rejected++;
        const type = event.Metadata?.Type ?? event.$type ?? 'unknown';
        throw badParameter(`event ${type} reached max FileLog entry size limit, current size ${size} (limit ${this.maxScanTokenSize})`);
      }
      this.stats.trimmed++;
      auditStoredTrimmedEvents.inc();
    }
    return line;
  }

  private async write(event: AuditEventInput): Promise<void> {
    if (this.closed) throw new AuditcastError('BAD_PARAMETER', 'FileLog is closed');
    const line = this.line(event);
    await this.rotate();
    await this.file!.appendFile(`${line}\n`);
    this.stats.emitted++;
  }

  private async rotate(): Promise<void> {
    const day = utcDayStart(this.clock());
    if (this.file && day <= this.fileDay) return;
    const path = join(this.dir, logFileName(day));
    await fsp.mkdir(this.dir, { recursive: true });
    // Never through a link planted at today's name: events are appended to a file we own or not at all.
    const next = await openFile(path, fsConstants.O_WRONLY | fsConstants.O_APPEND | fsConstants.O_CREAT, 0o640)
      .catch((err: unknown) => { throw fsError(err, `open audit log ${path}`); });
    const previous = this.file;
    this.file = next;
    this.fileDay = day;
    this.filePath = path;
    if (previous) await previous.close();
    await fsp.mkdir(this.symlinkDir, { recursive: true });
    await fsp.rm(this.currentFileSymlink, { force: true });
    await fsp.symlink(path, this.currentFileSymlink);
  }

  private async dirs(): Promise<readonly string[]> {
    return this.searchDirs ? await this.searchDirs() : [this.dir];
  }

  private config = async (reorderWindow: number) => ({
    fs: this.searchFs,
    dirs: await this.dirs(),
    rotationPeriodMs: this.rotationPeriodMs,
    maxScanTokenSize: this.maxScanTokenSize,
    reorderWindow,
  });

  /**
   * Runs a page, read again with a wider reorder window while events came out of order. Keys
   * carry their position (search-key.ts), so any FileLog over the same files resumes them.
   */
  private async page(query: SearchPageQuery): Promise<SearchResult> {
    let window = this.reorderWindow;
    let answer = await searchFiles(await this.config(window), query);
    while (answer.stats!.outOfOrder > 0 && window < this.maxReorderWindow) {
      window = Math.min(this.maxReorderWindow, window * 16);
      answer = await searchFiles(await this.config(window), query);
    }
    return answer;
  }

  /** Events in [from, to] of the given types, one page at a time. */
  async searchEvents(request: SearchEventsRequest): Promise<SearchResult> {
    const eventTypes = request.eventTypes ?? [];
    checkSearchEventsRequest(request);
    return this.page({ ...request, eventTypes });
  }

  /** session.end and windows.desktop.session.end events, optionally of one session. */
  async searchSessionEvents(request: SearchSessionEventsRequest): Promise<SearchResult> {
    checkSearchSessionEventsRequest(request);
    return this.page({ ...request, eventTypes: SessionRecordingEvents });
  }

  /** Closes the current file; later emits fail. Safe to call twice. */
  async close(): Promise<void> {
    this.closed = true;
    await this.queue;
    const file = this.file;
    this.file = null;
    if (file) await file.close();
  }
}
