// How the CLI fails: one line on stderr, exit 1 for bad input or data, 2 for bad usage. A stack
// trace only with --debug.
import { AuditcastError } from '../errors.js';

export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;

/** Bad command line: unknown option, missing argument, bad value. Exit code 2. */
export class UsageError extends Error {
  constructor(message: string, readonly command?: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** A failure with a message meant for the user as it is. Exit code 1 unless given. */
export class CliError extends Error {
  constructor(message: string, readonly exitCode = EXIT_FAILURE, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'CliError';
  }
}

/** The one line printed for an error (without the program name). */
export function describeError(err: unknown): string {
  if (err instanceof UsageError || err instanceof CliError) return err.message;
  if (err instanceof AuditcastError) return `${err.message} [${err.code}]`;
  const errno = err as NodeJS.ErrnoException | undefined;
  if (errno && typeof errno.code === 'string' && typeof errno.message === 'string') {
    const where = errno.path ? `${errno.path}: ` : '';
    return `${where}${systemMessage(errno.code) ?? errno.message} [${errno.code}]`;
  }
  return err instanceof Error ? err.message : String(err);
}

function systemMessage(code: string): string | null {
  switch (code) {
    case 'ENOENT': return 'no such file or directory';
    case 'EACCES': return 'permission denied';
    case 'EISDIR': return 'is a directory';
    case 'ENOTDIR': return 'not a directory';
    case 'ENOSPC': return 'no space left on device';
    default: return null;
  }
}

export function exitCodeOf(err: unknown): number {
  if (err instanceof UsageError) return EXIT_USAGE;
  if (err instanceof CliError) return err.exitCode;
  return EXIT_FAILURE;
}
