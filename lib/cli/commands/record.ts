// auditcast record [--title T] -- COMMAND [ARGS]: runs COMMAND in a pseudo-terminal, passes the
// terminal through (raw mode, resizes forwarded), and records a Teleport session recording
// (session.start, print events through the SessionWriter, resize, session.end) into the data dir,
// with the session's audit events in the audit log. Exits with the command's exit code.
import { randomUUID } from 'node:crypto';
import { accessSync, closeSync, constants as fsConstants, openSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import * as os from 'node:os';
import * as path from 'node:path';
import type { IPty } from 'node-pty';
import { SessionWriter } from '../../emitters/session-writer.js';
import type { AuditEvent, AuditEventInput } from '../../events/event.js';
import { Preparer } from '../../events/preparer.js';
import { ProtoStreamer } from '../../stream/proto-streamer.js';
import { FileUploader } from '../../uploads/file-uploader.js';
import { parseCommand, stringOption } from '../args.js';
import { openAuditLog } from '../audit-log.js';
import { type Command, helpText } from '../command.js';
import { resolveDataDir } from '../data-dir.js';
import { CliError } from '../errors.js';
import { formatBytes, formatDuration } from '../output.js';
import type { TerminalSize } from '../terminal-reader.js';
import { indexCompletedRecording } from '../recording-index.js';

const NAME = 'record';
const EXIT_NOT_FOUND = 127;

const OPTIONS = {
  title: { type: 'string', short: 't' },
} as const;

type PtyModule = typeof import('node-pty');

function loadPty(): PtyModule {
  try {
    return createRequire(import.meta.url)('node-pty') as PtyModule;
  } catch (err) {
    throw new CliError(`recording needs the node-pty package, which did not load: ${(err as Error).message.split('\n')[0]}`, 1, { cause: err });
  }
}

/** The command's path, searched in PATH like a shell does; fails with exit 127 when missing. */
function resolveCommand(command: string): string {
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

function terminalSize(): TerminalSize {
  const out = process.stdout;
  if (out.isTTY && out.columns > 0 && out.rows > 0) return { cols: out.columns, rows: out.rows };
  const cols = Number(process.env.COLUMNS);
  const rows = Number(process.env.LINES);
  return { cols: Number.isInteger(cols) && cols > 0 ? cols : 80, rows: Number.isInteger(rows) && rows > 0 ? rows : 24 };
}

function hostUuid(root: string): string {
  try {
    return readFileSync(path.join(root, 'host_uuid'), 'utf8').trim();
  } catch {
    return '';
  }
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
function holdTerminal(child: IPty): { sawData(): void; release(): void } {
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

const VALUE_OPTIONS = new Set(['--title', '-t', '--data-dir']);

/**
 * `record ls -la` means `record -- ls -la`: everything from the first argument that is not one of
 * record's own options belongs to the command.
 */
function withSeparator(argv: readonly string[]): string[] {
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') return [...argv];
    if (VALUE_OPTIONS.has(arg)) {
      i++;
      continue;
    }
    if (!arg.startsWith('-') || arg === '-') return [...argv.slice(0, i), '--', ...argv.slice(i)];
  }
  return [...argv];
}

export const recordCommand: Command = {
  name: NAME,
  summary: 'run a command in a pseudo-terminal and record the session',
  help: helpText(
    'auditcast record [--title T] [-- COMMAND [ARGS...]]',
    [
      'Runs COMMAND (default: $SHELL) in a pseudo-terminal, shows it as it runs and records it as a',
      'Teleport session recording in <data>/records/<session-id>.tar, with session.start,',
      'resize and session.end in the audit log. Works with standard input from a pipe too.',
      'Prints the session id when the command ends; exits with the command\'s exit code.',
    ].join('\n'),
    [['-t, --title T', 'a title for the session (kept in session.start "reason")']],
  ),
  async run(argv) {
    const { values, positionals } = parseCommand(NAME, withSeparator(argv), OPTIONS);
    const argvCommand = positionals.length > 0 ? positionals : [process.env.SHELL || '/bin/sh'];
    const [command, ...args] = argvCommand as [string, ...string[]];
    const file = resolveCommand(command);
    const pty = loadPty();
    const data = resolveDataDir(values.dataDir);
    const title = stringOption(values, 'title');

    const sessionId = randomUUID();
    const log = await openAuditLog(data);
    const serverId = hostUuid(data.root);
    const user = os.userInfo().username;
    const hostname = os.hostname();
    const uploader = new FileUploader({ directory: data.records });
    const streamer = new ProtoStreamer({ uploader });
    const preparer = new Preparer({ sessionId, serverId, namespace: 'default' });
    const writer = new SessionWriter({ sessionId, streamer, preparer });
    const identity = {
      User: { User: user, Login: user },
      Server: { ServerHostname: hostname },
    };
    let failure: unknown = null;
    let queue: Promise<void> = Promise.resolve();
    const record = (event: AuditEventInput, audit: boolean): void => {
      let prepared: AuditEvent;
      try {
        prepared = preparer.prepareSessionEvent(event);
      } catch (err) {
        failure ??= err;
        return;
      }
      queue = queue.then(async () => {
        await writer.recordPreparedEvent(prepared);
        if (audit) await log.emitAuditEvent(prepared);
      }).catch((err: unknown) => { failure ??= err; });
    };

    let size = terminalSize();
    const startedAt = new Date();
    record({
      $type: 'SessionStart',
      Metadata: { Type: 'session.start', Code: 'T2000I', Time: startedAt },
      ...identity,
      TerminalSize: `${size.cols}:${size.rows}`,
      InitialCommand: argvCommand,
      ...(title ? { Reason: title } : {}),
    }, true);

    let child: IPty;
    try {
      child = pty.spawn(file, args, {
        name: process.env.TERM || 'xterm-256color',
        cols: size.cols,
        rows: size.rows,
        cwd: process.cwd(),
        env: { ...process.env, AUDITCAST_SESSION_ID: sessionId } as Record<string, string>,
        encoding: null,
      });
    } catch (err) {
      await writer.complete().catch(() => {});
      await log.close();
      throw new CliError(`cannot start ${command}: ${(err as Error).message}`, 1, { cause: err });
    }

    const holder = holdTerminal(child);
    let outputBytes = 0;
    child.onData((chunk: string | Buffer) => {
      const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
      holder.sawData();
      outputBytes += bytes.length;
      process.stdout.write(bytes);
      queue = queue.then(() => writer.write(bytes)).catch((err: unknown) => { failure ??= err; });
    });

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
      record({
        $type: 'Resize',
        Metadata: { Type: 'resize', Code: 'T2002I' },
        ...identity,
        TerminalSize: `${size.cols}:${size.rows}`,
      }, true);
    };
    if (process.stdout.isTTY) process.stdout.on('resize', onResize);
    const forward = (signal: NodeJS.Signals) => () => { try { child.kill(signal); } catch { /* already gone */ } };
    const handlers = (['SIGINT', 'SIGTERM', 'SIGHUP'] as const).map((s) => [s, forward(s)] as const);
    for (const [s, h] of handlers) process.on(s, h);

    const exit = await new Promise<{ exitCode: number; signal?: number }>((resolve) => child.onExit(resolve));
    holder.release();

    for (const [s, h] of handlers) process.off(s, h);
    process.stdout.off('resize', onResize);
    stdin.off('data', onInput);
    stdin.off('end', onInputEnd);
    if (rawMode) stdin.setRawMode(false);
    stdin.pause();
    if (!rawMode) stdin.destroy();

    const endedAt = new Date();
    record({
      $type: 'SessionEnd',
      Metadata: { Type: 'session.end', Code: 'T2004I', Time: endedAt },
      ...identity,
      Interactive: true,
      Participants: [user],
      StartTime: startedAt,
      EndTime: endedAt,
      InitialCommand: argvCommand,
    }, true);
    await queue;
    try {
      await writer.complete();
    } catch (err) {
      failure ??= err;
    }
    await log.close().catch(() => {});
    const where = path.join(data.records, `${sessionId}.tar`);
    if (failure) {
      process.stderr.write(`\r\nauditcast: recording of session ${sessionId} failed: ${(failure as Error).message ?? String(failure)}\r\n`);
    } else {
      const lost = writer.stats.lostEvents > 0 ? `, ${writer.stats.lostEvents} events lost` : '';
      process.stderr.write(`\r\nauditcast: session ${sessionId} recorded (${formatBytes(outputBytes)}, ${formatDuration(endedAt.getTime() - startedAt.getTime())}${lost}) in ${where}\r\n`);
      await indexCompletedRecording(data, sessionId, where, '\r\n');
    }
    const code = exit.signal ? 128 + exit.signal : exit.exitCode;
    return failure && code === 0 ? 1 : code;
  },
};
