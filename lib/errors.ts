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

export class AuditcastError extends Error {
  readonly code: ErrorCode;

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'AuditcastError';
    this.code = code;
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

/**
 * Any thrown value as an AuditcastError: itself when it is one, else an error with `code` (by
 * default CONNECTION_PROBLEM: a failure of something we called) and its message, after `context`.
 */
export function toAuditcastError(err: unknown, code: ErrorCode = 'CONNECTION_PROBLEM', context?: string): AuditcastError {
  if (err instanceof AuditcastError) return err;
  const message = err instanceof Error ? err.message : String(err);
  return new AuditcastError(code, context ? `${context}: ${message}` : message, { cause: err });
}

export function throwIfAborted(signal?: AbortSignal): void {
  if (signal?.aborted) throw abortError(signal);
}
