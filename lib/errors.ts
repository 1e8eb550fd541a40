// One error class for the whole library. `code` is stable and matches across both codec backends;
// the message says what went wrong and where (part number, byte offset, event index).

export type ErrorCode =
  | 'BAD_PARAMETER'
  | 'NOT_FOUND'
  | 'ALREADY_EXISTS'
  | 'CONNECTION_PROBLEM'
  | 'LIMIT_EXCEEDED'
  | 'CORRUPTED'
  | 'UNSUPPORTED'
  | 'ACCESS_DENIED'
  | 'CANCELED'
  | 'COMPLETED'
  | 'NOT_IMPLEMENTED';

export interface AuditcastErrorOptions {
  cause?: unknown;
  /** Byte offset in the input of the recording part the error is in (default: the cause's). */
  partOffset?: number;
}

export class AuditcastError extends Error {
  readonly code: ErrorCode;
  /** Byte offset in the input of the recording part the error is in (set by the part reader). */
  readonly partOffset?: number;

  constructor(code: ErrorCode, message: string, options?: AuditcastErrorOptions) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'AuditcastError';
    this.code = code;
    // A wrapping error (adding a file name, say) keeps where its cause was found.
    const partOffset = options?.partOffset ?? (options?.cause instanceof AuditcastError ? options.cause.partOffset : undefined);
    if (partOffset !== undefined) this.partOffset = partOffset;
  }
}

export function isAuditcastError(err: unknown, code?: ErrorCode): err is AuditcastError {
  return err instanceof AuditcastError && (code === undefined || err.code === code);
}

export const badParameter = (message: string, cause?: unknown) => new AuditcastError('BAD_PARAMETER', message, { cause });
export const notFound = (message: string, cause?: unknown) => new AuditcastError('NOT_FOUND', message, { cause });
export const corrupted = (message: string, cause?: unknown) => new AuditcastError('CORRUPTED', message, { cause });
export const limitExceeded = (message: string, cause?: unknown) => new AuditcastError('LIMIT_EXCEEDED', message, { cause });

/** Turns an AbortSignal's reason into a CANCELED error (or rethrows an AuditcastError reason). */
export function abortError(signal: AbortSignal): AuditcastError {
  const reason = signal.reason;
  if (reason instanceof AuditcastError) return reason;
  return new AuditcastError('CANCELED', `operation canceled${reason instanceof Error ? `: ${reason.message}` : ''}`, { cause: reason });
}

// Node's system error codes as the library's codes and plain words (Teleport:
// trace.ConvertSystemError). The words never repeat Node's message, which names the path the
// syscall saw: that may be one of our temporary files, and the caller names the real one.
const SYSTEM_ERRORS: Readonly<Record<string, readonly [ErrorCode, string]>> = {
  ENOENT: ['NOT_FOUND', 'no such file or directory'],
  ENOTDIR: ['NOT_FOUND', 'a part of the path is not a directory'],
  EISDIR: ['BAD_PARAMETER', 'is a directory'],
  EEXIST: ['ALREADY_EXISTS', 'already exists'],
  ENOTEMPTY: ['ALREADY_EXISTS', 'directory not empty'],
  EACCES: ['ACCESS_DENIED', 'permission denied'],
  EPERM: ['ACCESS_DENIED', 'operation not permitted'],
  EROFS: ['ACCESS_DENIED', 'read-only file system'],
  ELOOP: ['ACCESS_DENIED', 'a symbolic link that is not followed (or a loop of links)'],
  ENOSPC: ['LIMIT_EXCEEDED', 'no space left on device'],
  EDQUOT: ['LIMIT_EXCEEDED', 'disk quota exceeded'],
  EFBIG: ['LIMIT_EXCEEDED', 'file too large'],
  EMFILE: ['LIMIT_EXCEEDED', 'too many open files'],
  ENFILE: ['LIMIT_EXCEEDED', 'too many open files in the system'],
  ENAMETOOLONG: ['BAD_PARAMETER', 'file name too long'],
  ESPIPE: ['BAD_PARAMETER', 'not seekable (a pipe or FIFO)'],
  ENXIO: ['BAD_PARAMETER', 'a FIFO or socket with nobody on the other end'],
};

/**
 * Our temporary files end in `.tmp` (`.<name>.<random>.tmp` from safe-fs createTempFile and the
 * CLI's output, `<file>.<random>.tmp` elsewhere): internal names that no message shows (the file
 * they become is named instead).
 */
export function isTemporaryPath(file: string): boolean {
  return file.endsWith('.tmp');
}

/** A Node system error (fs, net, child_process): has a string `code` such as ENOENT. */
export function isSystemError(err: unknown): err is NodeJS.ErrnoException {
  return err instanceof Error && typeof (err as NodeJS.ErrnoException).code === 'string' && /^E[A-Z0-9]+$/.test((err as NodeJS.ErrnoException).code!);
}

/** The words for a system error without any path: "permission denied", or Node's own words. */
export function systemErrorText(err: NodeJS.ErrnoException): string {
  const known = SYSTEM_ERRORS[err.code!];
  if (known) return known[1];
  // "EXDEV: cross-device link not permitted, rename 'a' -> 'b'": keep the words, drop the paths.
  const words = /^[A-Z0-9]+: ([^,]+)/.exec(err.message)?.[1] ?? err.message;
  return `${words} (${err.code})`;
}

/**
 * Any thrown value as an AuditcastError: itself when it is one; a Node system error gets the code
 * and words of its errno (ENOENT -> NOT_FOUND "no such file or directory"...); anything else gets
 * `code` (by default CONNECTION_PROBLEM: a failure of something we called) and its message.
 * `context` (what we were doing, or the file) comes first.
 */
export function toAuditcastError(err: unknown, code: ErrorCode = 'CONNECTION_PROBLEM', context?: string): AuditcastError {
  if (err instanceof AuditcastError) return err;
  if (isSystemError(err)) {
    const known = SYSTEM_ERRORS[err.code!];
    // The path the syscall saw, unless the context names it already or it is a temporary file.
    const path = err.path && !isTemporaryPath(err.path) && !context?.includes(err.path) ? err.path : undefined;
    const text = [context, path, systemErrorText(err)].filter((part) => part !== undefined).join(': ');
    return new AuditcastError(known ? known[0] : code, text, { cause: err });
  }
  const message = err instanceof Error ? err.message : String(err);
  return new AuditcastError(code, context ? `${context}: ${message}` : message, { cause: err });
}

export function throwIfAborted(signal?: AbortSignal): void {
  if (signal?.aborted) throw abortError(signal);
}
