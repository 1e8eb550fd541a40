// auditcast record [--title T] -- COMMAND [ARGS]: runs COMMAND in a pseudo-terminal (record/
// pty-session.ts) and records a Teleport session recording (session.start, print events through the
// SessionWriter, resize, session.end) into the data dir, with the session's audit events in the
// audit log. Exits with the command's exit code.
//
// Crash safety as in Teleport's async recording mode: the recording goes to local disk in small
// unpadded parts flushed within FLUSH_MS (newFileStreamer), and the session is claimed by an owner
// file, so a recorder killed at any moment leaves an upload that `auditcast recover` completes,
// losing at most the last FLUSH_MS of output.
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { SessionWriter } from '../../emitters/session-writer.js';
import type { AuditEvent, AuditEventInput } from '../../events/event.js';
import {
  ResizeEvent, SessionEndCode, SessionEndEvent, SessionStartCode, SessionStartEvent, TerminalResizeCode,
} from '../../events/constants.generated.js';
import { Preparer } from '../../events/preparer.js';
import { FILE_MIN_UPLOAD_BYTES } from '../../uploads/file-uploader.js';
import { newFileStreamer } from '../../uploads/file-streamer.js';
import { parseCommand, stringOption } from '../args.js';
import { AUDIT_URL_HELP, AUDIT_URL_OPTION, openAuditLog } from '../audit-log.js';
import { type Command, helpText } from '../command.js';
import { resolveDataDir } from '../data-dir.js';
import { describeError } from '../errors.js';
import { formatBytes, formatDuration } from '../output.js';
import { PromptFlushStreamer } from '../record/prompt-flush-streamer.js';
import { exitCodeOf, loadPty, resolveCommand, runPtySession, terminalSize } from '../record/pty-session.js';
import { claimRecording } from '../record/recording-owner.js';
import { indexCompletedRecording } from '../index-on-completion.js';

const NAME = 'record';
/** Output reaches the disk at most this long after the program wrote it. */
export const FLUSH_MS = 1000;

const OPTIONS = {
  title: { type: 'string', short: 't' },
  ...AUDIT_URL_OPTION,
} as const;

function hostUuid(root: string): string {
  try {
    return readFileSync(path.join(root, 'host_uuid'), 'utf8').trim();
  } catch {
    return '';
  }
}

const VALUE_OPTIONS = new Set(['--title', '-t', '--data-dir', '--audit-url']);

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
      `Output is on disk within ${FLUSH_MS / 1000} s: if the recorder is killed, 'auditcast recover'`,
      'completes the recording.',
    ].join('\n'),
    [['-t, --title T', 'a title for the session (kept in session.start "reason")'], AUDIT_URL_HELP],
  ),
  async run(argv) {
    const { values, positionals } = parseCommand(NAME, withSeparator(argv), OPTIONS);
    const argvCommand = positionals.length > 0 ? positionals : [process.env.SHELL || '/bin/sh'];
    const [command, ...args] = argvCommand as [string, ...string[]];
    const file = resolveCommand(command);
    loadPty(); // fails before anything is created when node-pty is missing
    const data = resolveDataDir(values.dataDir);
    const title = stringOption(values, 'title');

    const sessionId = randomUUID();
    const log = await openAuditLog(data, values);
    const owner = await claimRecording(data.records, sessionId);
    const serverId = hostUuid(data.root);
    const user = os.userInfo().username;
    const { streamer } = newFileStreamer({
      directory: data.records, minUploadBytes: FILE_MIN_UPLOAD_BYTES, padParts: false, inactivityFlushMs: 0,
    });
    const preparer = new Preparer({ sessionId, serverId, namespace: 'default' });
    const writer = new SessionWriter({ sessionId, streamer: new PromptFlushStreamer(streamer, FLUSH_MS), preparer });
    const identity = {
      User: { User: user, Login: user },
      Server: { ServerHostname: os.hostname() },
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

    const size = terminalSize();
    const startedAt = new Date();
    record({
      $type: 'SessionStart',
      Metadata: { Type: SessionStartEvent, Code: SessionStartCode, Time: startedAt },
      ...identity,
      TerminalSize: `${size.cols}:${size.rows}`,
      InitialCommand: argvCommand,
      ...(title ? { Reason: title } : {}),
    }, true);

    // A recording that cannot go on (a full disk is not retried) ends the session at once rather
    // than let it run unrecorded: say so now, hang up the command, keep what reached the disk.
    const hangUp = new AbortController();
    void writer.done.then(() => {
      if (!writer.error || exited) return;
      process.stderr.write(`\r\nauditcast: recording of session ${sessionId} failed, ending the session: ${describeError(writer.error)}\r\n`);
      hangUp.abort();
    });
    let exited = false;

    let outputBytes = 0;
    let exit;
    try {
      exit = await runPtySession({
        file,
        args,
        size,
        signal: hangUp.signal,
        env: { ...process.env, AUDITCAST_SESSION_ID: sessionId } as Record<string, string>,
        onOutput(bytes) {
          outputBytes += bytes.length;
          queue = queue.then(() => writer.write(bytes)).catch((err: unknown) => { failure ??= err; });
        },
        onResize(next) {
          record({
            $type: 'Resize',
            Metadata: { Type: ResizeEvent, Code: TerminalResizeCode },
            ...identity,
            TerminalSize: `${next.cols}:${next.rows}`,
          }, true);
        },
      });
    } catch (err) {
      await queue;
      await writer.complete().catch(() => {});
      await owner.release().catch(() => {});
      await log.close?.();
      throw err;
    }

    exited = true;
    const endedAt = new Date();
    record({
      $type: 'SessionEnd',
      Metadata: { Type: SessionEndEvent, Code: SessionEndCode, Time: endedAt },
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
    await Promise.resolve(log.close?.()).catch(() => {});
    const where = path.join(data.records, `${sessionId}.tar`);
    if (failure) {
      // What reached the disk stays as an upload, its owner file naming this process: once it has
      // exited, `recover` completes the upload (when there is room again).
      if (!hangUp.signal.aborted) process.stderr.write(`\r\nauditcast: recording of session ${sessionId} failed: ${describeError(failure)}\r\n`);
      process.stderr.write(`auditcast: what was recorded is kept; run 'auditcast recover ${sessionId}' to complete it\r\n`);
      await owner.leave();
    } else {
      await owner.release().catch(() => {});
      const lost = writer.stats.lostEvents > 0 ? `, ${writer.stats.lostEvents} events lost` : '';
      process.stderr.write(`\r\nauditcast: session ${sessionId} recorded (${formatBytes(outputBytes)}, ${formatDuration(endedAt.getTime() - startedAt.getTime())}${lost}) in ${where}\r\n`);
      await indexCompletedRecording(data, sessionId, where, '\r\n', values);
    }
    const code = exitCodeOf(exit);
    return failure && code === 0 ? 1 : code;
  },
};
