// A command run in a pseudo-terminal with this process's terminal passed through: output is shown
// as it comes, input (raw mode on a terminal, or piped) is passed on, resizes and signals are
// forwarded. What the session produces is reported through callbacks; recording it is the record
// command's business.
import { accessSync, closeSync, constants as fsConstants, openSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import type { IPty } from 'node-pty';
import { CliError } from '../errors.js';
import { readPtyOutput } from './pty-output.js';
import type { TerminalSize } from '../terminal-reader.js';

export const EXIT_NOT_FOUND = 127;

type PtyModule = typeof import('node-pty');

export function loadPty(): PtyModule {
  try {
    return createRequire(import.meta.url)('node-pty') as PtyModule;
  } catch (err) {
    throw new CliError(`recording needs the node-pty package, which did not load: ${(err as Error).message.split('\n')[0]}`, 1, { cause: err });
  }
}

/** The command's path, searched in PATH like a shell does; fails with exit 127 when missing. */
export function resolveCommand(command: string): string {
  const isExecutable = (file: string) => {
    try {
      accessSync(file, fsConstants.X_OK);
      return statSync(file).isFile();
    } catch {
      return false;
    }
  };
  if (command.includes('/')) {
    if (isExecutable(command)) return command;
    throw new CliError(`${command}: no such executable file`, EXIT_NOT_FOUND);
  }
  for (const dir of (process.env.PATH ?? '/usr/bin:/bin').split(path.delimiter)) {
    const file = path.join(dir || '.', command);
    if (isExecutable(file)) return file;
  }
  throw new CliError(`${command}: command not found`, EXIT_NOT_FOUND);
}

/** This terminal's size, else $COLUMNS x $LINES, else 80x24. */
export function terminalSize(): TerminalSize {
  const out = process.stdout;
  if (out.isTTY && out.columns > 0 && out.rows > 0) return { cols: out.columns, rows: out.rows };
  const cols = Number(process.env.COLUMNS);
  const rows = Number(process.env.LINES);
  return { cols: Number.isInteger(cols) && cols > 0 ? cols : 80, rows: Number.isInteger(rows) && rows > 0 ? rows : 24 };
}

const EXIT_POLL_MS = 25;
const QUIET_MS = 40;

/**
 * Keeps the terminal's slave side open in this process until the command has exited and its
 * output has been read. Without it, a program that closes its stdout just before exiting (cat,
 * most coreutils) lets node-pty see EIO on the master and close it, and the kernel hangs up the
 * terminal: the program dies of SIGHUP (exit 129) in the middle of exiting and output still
 * buffered in the terminal can be lost. Once the process is gone (reaped by node-pty) and no
 * output came for a moment, the slave is closed and node-pty finishes as usual.
 */
export function holdTerminal(child: IPty): { sawData(): void; release(): void } {
  const name = (child as unknown as { _pty?: unknown })._pty;
  let fd: number | null = null;
  if (typeof name === 'string' && name.startsWith('/dev/')) {
    try {
      fd = openSync(name, fsConstants.O_RDWR | fsConstants.O_NOCTTY);
    } catch {
      fd = null; // the command is already gone; nothing to hold
    }
  }
  let lastData = Date.now();
  const close = () => {
    clearInterval(timer);
    if (fd !== null) {
      try { closeSync(fd); } catch { /* already closed */ }
      fd = null;
    }
  };
  const timer = setInterval(() => {
    if (fd === null) return close();
    try {
      process.kill(child.pid, 0);
      return; // still running (or not reaped yet)
    } catch {
      if (Date.now() - lastData >= QUIET_MS) close();
    }
  }, EXIT_POLL_MS);
  return { sawData: () => { lastData = Date.now(); }, release: close };
}

export interface PtySessionOptions {
  /** The executable (resolveCommand) and its arguments. */
  file: string;
  args: readonly string[];
  size: TerminalSize;
  env: Record<string, string>;
  /** Called with every chunk of output, after it was shown. */
  onOutput(bytes: Buffer): void;
  /** Called when this terminal changed size (the command's terminal already follows). */
  onResize(size: TerminalSize): void;
  /** Hangs up the command's terminal (SIGHUP), e.g. when its session can no longer be recorded. */
  signal?: AbortSignal;
}

export interface PtyExit {
  exitCode: number;
  signal?: number;
}

/** The shell's exit code for a command's end: 128 + signal when killed by one. */
export function exitCodeOf(exit: PtyExit): number {
  return exit.signal ? 128 + exit.signal : exit.exitCode;
}

/** Runs the command to its end. Fails (CliError) only when it cannot be started. */
export async function runPtySession(options: PtySessionOptions): Promise<PtyExit> {
  const pty = loadPty();
  let size = options.size;
  let child: IPty;
  try {
    child = pty.spawn(options.file, [...options.args], {
      name: process.env.TERM || 'xterm-256color',
      cols: size.cols,
      rows: size.rows,
      cwd: process.cwd(),
      env: options.env,
      encoding: null,
    });
  } catch (err) {
    throw new CliError(`cannot start ${options.file}: ${(err as Error).message}`, 1, { cause: err });
  }

  const holder = holdTerminal(child);
  const exited = new Promise<PtyExit>((resolve) => child.onExit(resolve));
  const output = readPtyOutput(child, (bytes) => {
    holder.sawData();
    options.onOutput(bytes);
  }, exited);

  const stdin = process.stdin;
  const rawMode = stdin.isTTY === true;
  let gotInput = false;
  const onInput = (chunk: Buffer) => {
    gotInput = true;
    child.write(chunk);
  };
  // End of piped input is passed on as ^D (EOF for the program) only when there was input:
  // with </dev/null the terminal would just echo a stray ^D into the recording.
  const onInputEnd = () => {
    if (gotInput) child.write('\x04');
  };
  if (rawMode) stdin.setRawMode(true);
  stdin.on('data', onInput);
  if (!rawMode) stdin.on('end', onInputEnd);
  stdin.on('error', () => {});
  stdin.resume();

  const onResize = () => {
    const next = terminalSize();
    if (next.cols === size.cols && next.rows === size.rows) return;
    size = next;
    child.resize(size.cols, size.rows);
    options.onResize(size);
  };
  if (process.stdout.isTTY) process.stdout.on('resize', onResize);
  const forward = (signal: NodeJS.Signals) => () => { try { child.kill(signal); } catch { /* already gone */ } };
  const handlers = (['SIGINT', 'SIGTERM', 'SIGHUP'] as const).map((s) => [s, forward(s)] as const);
  for (const [s, h] of handlers) process.on(s, h);
  const hangUp = forward('SIGHUP');
  options.signal?.addEventListener('abort', hangUp, { once: true });

  const exit = await exited;
  holder.release();
  // Usually over already (the terminal hung up); not when a process the command left behind still
  // holds the terminal: what it wrote so far is kept, as node-pty's socket did.
  output.stop();
  await output.ended;

  for (const [s, h] of handlers) process.off(s, h);
  options.signal?.removeEventListener('abort', hangUp);
  process.stdout.off('resize', onResize);
  stdin.off('data', onInput);
  stdin.off('end', onInputEnd);
  if (rawMode) stdin.setRawMode(false);
  stdin.pause();
  if (!rawMode) stdin.destroy();
  return exit;
}
