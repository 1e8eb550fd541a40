// One log file's accepted events in search order. Lines are read forward (ascending search) or
// backward (descending); events written slightly out of time order are put back in order through
// a reorder window of `window` events held in a heap.
import { type LineReaderCounters, readLinesBackward, readLinesForward } from './line-reader.js';
import type { LogFile } from './log-files.js';
import { MinHeap } from './min-heap.js';
import type { SearchFileHandle } from './search-fs.js';
import type { LineFilter, SearchEntry } from './search-order.js';

export interface FileEventStreamOptions {
  window: number;
  accept: LineFilter;
  cmp: (a: SearchEntry, b: SearchEntry) => number;
  backward: boolean;
  maxLineBytes: number;
}

export class FileEventStream {
  private readonly heap: MinHeap<SearchEntry>;
  private readonly lines: AsyncGenerator<string>;
  private readonly window: number;
  private readonly accept: LineFilter;
  private done = false;
  readonly counters: LineReaderCounters = { bytesRead: 0, linesTooLong: 0 };

  constructor(private readonly handle: SearchFileHandle, private readonly file: LogFile, options: FileEventStreamOptions) {
    this.heap = new MinHeap(options.cmp);
    this.window = options.window;
    this.accept = options.accept;
    this.lines = options.backward
      ? readLinesBackward(handle, options.maxLineBytes, this.counters)
      : readLinesForward(handle, options.maxLineBytes, this.counters);
  }

  head(): SearchEntry | undefined {
    return this.heap.peek();
  }

  /** Reads until the window is full or the file ends. */
  async fill(): Promise<void> {
    while (!this.done && this.heap.size < this.window) {
      const next = await this.lines.next();
      if (next.done) {
        this.done = true;
        break;
      }
      const entry = this.accept(next.value, this.file.id, this.counters.lineOffset ?? 0);
      if (entry) this.heap.push(entry);
    }
  }

  async pop(): Promise<SearchEntry | undefined> {
    const top = this.heap.pop();
    await this.fill();
    return top;
  }

  async close(): Promise<void> {
    await this.lines.return(undefined);
    await this.handle.close();
  }
}
