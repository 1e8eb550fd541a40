// How the CLI fails: one line on stderr, exit 1 for bad input or data, 2 for bad usage. A stack
// trace only with --debug.
import { AuditcastError, isSystemError, toAuditcastError } from '../errors.js';

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

/**
 * The one line printed for an error (without the program name): what and where, then the code.
 * A raw Node error gets the same words and code as everywhere else (toAuditcastError).
 */
export function describeError(err: unknown): string {
  if (err instanceof UsageError || err instanceof CliError) return err.message;
  if (err instanceof AuditcastError || isSystemError(err)) {
    const coded = toAuditcastError(err);
    return `${coded.message} [${coded.code}]`;
  }
  return err instanceof Error ? err.message : String(err);
}

export function exitCodeOf(err: unknown): number {
  if (err instanceof UsageError) return EXIT_USAGE;
  if (err instanceof CliError) return err.exitCode;
  return EXIT_FAILURE;
}
