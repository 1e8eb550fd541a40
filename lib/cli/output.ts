// Output helpers: a progress bar on stderr (only when stderr is a terminal), a stdout/file writer
// that respects backpressure, and a plain text table.
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import type { Writable } from 'node:stream';

const REDRAW_MS = 100;

export class Progress {
  private readonly enabled: boolean;
  private lastDraw = 0;
  private drawn = false;
  private current = 0;

  constructor(private readonly label: string, private total: number | null, stream: NodeJS.WriteStream = process.stderr) {
    this.stream = stream;
    this.enabled = stream.isTTY === true && process.env.AUDITCAST_NO_PROGRESS === undefined;
  }

  private readonly stream: NodeJS.WriteStream;

  setTotal(total: number | null): void {
    this.total = total;
  }

  /** Sets the amount done (bytes); redraws at most every 100 ms. */
  update(done: number): void {
    this.current = done;
    if (!this.enabled) return;
    const now = Date.now();
    if (now - this.lastDraw < REDRAW_MS) return;
    this.lastDraw = now;
    this.draw();
  }

  private draw(): void {
    const width = Math.max(10, Math.min(40, (this.stream.columns ?? 80) - 50));
    let line: string;
    if (this.total && this.total > 0) {
      const ratio = Math.min(1, this.current / this.total);
      const filled = Math.round(ratio * width);
      line = `${this.label} [${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${(ratio * 100).toFixed(0).padStart(3)}% ${formatBytes(this.current)}/${formatBytes(this.total)}`;
    } else {
      line = `${this.label} ${formatBytes(this.current)}`;
    }
    this.stream.write(`\r${line}\x1b[K`);
    this.drawn = true;
  }

  /** Clears the bar. */
  done(): void {
    if (this.enabled && this.drawn) this.stream.write('\r\x1b[K');
    this.drawn = false;
  }
}

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
  if (n < 1024 * 1024 * 1024) return `${(n / 1024 / 1024).toFixed(1)} MiB`;
  return `${(n / 1024 / 1024 / 1024).toFixed(2)} GiB`;
}

export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '-';
  const total = Math.round(ms / 1000);
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${String(s).padStart(2, '0')}` : `${m}:${String(s).padStart(2, '0')}`;
}

/** A sink for command output: stdout or a file, with backpressure and a clean end. */
export interface Output {
  write(chunk: string | Uint8Array): Promise<void>;
  end(): Promise<void>;
}

export function openOutput(file?: string): Output {
  const stream: Writable = file === undefined || file === '-' ? process.stdout : createWriteStream(file, { flags: 'w' });
  let failure: Error | null = null;
  const onError = (err: Error) => { failure = err; };
  stream.on('error', onError);
  // A file that cannot be opened fails the first write (never an unhandled rejection).
  const ready = file === undefined || file === '-'
    ? Promise.resolve()
    : once(stream, 'open').then(() => undefined, (err: Error) => { failure ??= err; });
  return {
    async write(chunk) {
      await ready;
      if (failure) throw failure;
      if (!stream.write(chunk)) {
        await new Promise<void>((resolve) => {
          const done = () => {
            stream.off('drain', done);
            stream.off('error', done);
            resolve();
          };
          stream.on('drain', done);
          stream.on('error', done);
        });
        if (failure) throw failure;
      }
    },
    async end() {
      await ready;
      if (failure) throw failure;
      if (stream === process.stdout) return;
      stream.end();
      await once(stream, 'finish');
      if (failure) throw failure;
    },
  };
}

/** Left-aligned columns separated by two spaces. */
export function formatTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!))).join('  ').trimEnd();
  return [line(header), ...rows.map(line)].join('\n') + '\n';
}
