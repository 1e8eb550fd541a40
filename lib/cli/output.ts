// Output helpers: a progress bar on stderr (only when stderr is a terminal), a stdout/file writer
// that respects backpressure, and a plain text table. A file is written beside its final name and
// renamed into place when complete: a failed or interrupted command never truncates anything.
import { randomUUID } from 'node:crypto';
import { createWriteStream, linkSync, renameSync, rmSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { once } from 'node:events';
import type { Writable } from 'node:stream';
import { CliError } from './errors.js';

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
  /**
   * Writes the chunks in one go and resolves once they are written, so they may be views of memory
   * that is reused afterwards: nothing is copied or joined on the way to a file (one writev).
   */
  writeChunks(chunks: readonly Uint8Array[]): Promise<void>;
  /** Finishes the output; a file appears under its name only now. */
  end(): Promise<void>;
  /** Drops an unfinished file (nothing to do for standard output). */
  abort(): void;
}

export interface OutputFileOptions {
  /** Files the command reads: the output may not be one of them (same inode), --force or not. */
  inputs?: readonly string[];
  /** Replace an existing file. */
  force?: boolean;
}

/** Refuses an output that is one of the inputs, or that exists without --force. */
export function checkOutputFile(file: string, options: OutputFileOptions = {}): void {
  let target;
  try {
    target = statSync(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw err;
  }
  for (const input of options.inputs ?? []) {
    let source;
    try {
      source = statSync(input);
    } catch {
      continue;
    }
    if (source.dev === target.dev && source.ino === target.ino) {
      throw new CliError(`${file} is the input ${input}: refusing to write over it (choose another --out)`);
    }
  }
  if (target.isDirectory()) throw new CliError(`${file}: is a directory`);
  if (!options.force) throw new CliError(`${file} already exists; use --force to replace it`);
}

export function openOutput(file?: string, options: OutputFileOptions = {}): Output {
  const toStdout = file === undefined || file === '-';
  if (!toStdout) checkOutputFile(file, options);
  const temp = toStdout ? '' : path.join(path.dirname(file), `.${path.basename(file)}.${randomUUID()}.tmp`);
  const stream: Writable = toStdout ? process.stdout : createWriteStream(temp, { flags: 'wx' });
  let failure: Error | null = null;
  const onError = (err: Error) => { failure = err; };
  stream.on('error', onError);
  // A file that cannot be opened fails the first write (never an unhandled rejection).
  const ready = toStdout
    ? Promise.resolve()
    : once(stream, 'open').then(() => undefined, (err: NodeJS.ErrnoException) => {
      // Name the file the user asked for, not our temporary one beside it.
      if (err.path === temp) err.path = file;
      failure ??= err;
    });
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
    async writeChunks(chunks) {
      await ready;
      if (failure) throw failure;
      // Standard output may be a pipe or a terminal that keeps what it is given: a copy, once.
      if (toStdout) return this.write(Buffer.concat(chunks));
      if (chunks.length === 0) return;
      stream.cork();
      const written = new Promise<void>((resolve) => {
        for (let i = 0; i < chunks.length - 1; i++) stream.write(chunks[i]);
        stream.write(chunks[chunks.length - 1], () => resolve());
      });
      stream.uncork();
      await written;
      if (failure) throw failure;
    },
    async end() {
      await ready;
      if (failure) throw failure;
      if (toStdout) return;
      stream.end();
      await once(stream, 'close');
      if (failure) throw failure;
      try {
        // Without --force, link(2) fails rather than replace a file that appeared meanwhile.
        if (options.force) renameSync(temp, file);
        else linkSync(temp, file);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'EEXIST') throw new CliError(`${file} already exists; use --force to replace it`);
        throw err;
      } finally {
        rmSync(temp, { force: true });
      }
    },
    abort() {
      if (toStdout) return;
      stream.destroy();
      rmSync(temp, { force: true });
    },
  };
}

/** Left-aligned columns separated by two spaces. */
export function formatTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!))).join('  ').trimEnd();
  return [line(header), ...rows.map(line)].join('\n') + '\n';
}
