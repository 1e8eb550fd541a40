// The events of several daily files merged into one sequence in search order. A file is opened
// only when the merge reaches the earliest time it may hold, so a first page reads only the first
// files: a file of day D is written during that day, so its events are stamped in [D, D + 24h) give
// or take the time between stamping and writing, and it is opened one rotation period early
// (Teleport's file selection assumes the same slack).
import { DAY_MS } from './constants.js';
import { FileEventStream } from './file-event-stream.js';
import type { LineReaderCounters } from './line-reader.js';
import type { LogFile } from './log-files.js';
import type { SearchFs } from './search-fs.js';
import { cursorMillis, type LineFilter, type SearchEntry } from './search-order.js';
import type { EventOrder } from './search-types.js';

export interface LogFileMergeOptions {
  fs: SearchFs;
  order: EventOrder;
  cmp: (a: SearchEntry, b: SearchEntry) => number;
  accept: LineFilter;
  rotationPeriodMs: number;
  /** Events per file held to restore time order. */
  reorderWindow: number;
  maxLineBytes: number;
  /** Bytes read and lines too long of every file, added as each file closes. */
  counters: LineReaderCounters;
}

export class LogFileMerge {
  private readonly open: FileEventStream[] = [];
  private nextFile = 0;
  /** Files opened so far. */
  filesOpened = 0;

  constructor(private readonly files: readonly LogFile[], private readonly options: LogFileMergeOptions) {}

  /** The next entry across all files; undefined when every file is read. */
  async next(): Promise<SearchEntry | undefined> {
    let best = this.headOfAll();
    while (this.nextFile < this.files.length && this.mayHoldNext(this.files[this.nextFile], best?.head())) {
      await this.openFile(this.files[this.nextFile++]);
      best = this.headOfAll();
    }
    if (!best) return undefined;
    const entry = await best.pop();
    if (!best.head()) {
      this.open.splice(this.open.indexOf(best), 1);
      await this.closeStream(best);
    }
    return entry;
  }

  async close(): Promise<void> {
    const open = this.open.splice(0);
    await Promise.all(open.map((s) => this.closeStream(s)));
  }

  private async openFile(file: LogFile): Promise<void> {
    const { fs, reorderWindow, accept, cmp, order, maxLineBytes } = this.options;
    const handle = await fs.open(file.path);
    this.filesOpened++;
    const stream = new FileEventStream(handle, file, { window: reorderWindow, accept, cmp, backward: order === 'desc', maxLineBytes });
    await stream.fill();
    if (stream.head()) this.open.push(stream);
    else await this.closeStream(stream);
  }

  private mayHoldNext(file: LogFile, head: SearchEntry | undefined): boolean {
    if (!head) return true;
    const t = cursorMillis(head);
    const slack = this.options.rotationPeriodMs;
    return this.options.order === 'asc' ? file.dayMs - slack <= t : file.dayMs + DAY_MS + slack >= t;
  }

  private headOfAll(): FileEventStream | undefined {
    let best: FileEventStream | undefined;
    for (const s of this.open) if (!best || this.options.cmp(s.head()!, best.head()!) < 0) best = s;
    return best;
  }

  private async closeStream(s: FileEventStream): Promise<void> {
    this.options.counters.bytesRead += s.counters.bytesRead;
    this.options.counters.linesTooLong += s.counters.linesTooLong;
    await s.close();
  }
}
