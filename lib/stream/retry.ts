// Linear backoff for part uploads, as Teleport retries them: the first retry at once, then
// `stepMs` more per attempt up to `maxMs`, for at most `maxAttempts` attempts.
import { AuditcastError, abortError } from '../errors.js';

export interface RetryOptions {
  stepMs?: number;
  maxMs?: number;
  maxAttempts?: number;
}

export const DEFAULT_RETRY: Required<RetryOptions> = { stepMs: 1000, maxMs: 30_000, maxAttempts: 1000 };

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(abortError(signal));
      return;
    }
    const onAbort = () => {
      clearTimeout(timer);
      reject(abortError(signal!));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * Errors that retrying cannot fix. LIMIT_EXCEEDED is a full disk or quota (ENOSPC, EDQUOT, EFBIG):
 * not transient for a local file, so it fails at once instead of hanging for hours.
 */
function isFinal(err: unknown): boolean {
  return err instanceof AuditcastError
    && ['NOT_FOUND', 'CANCELED', 'BAD_PARAMETER', 'ALREADY_EXISTS', 'ACCESS_DENIED', 'LIMIT_EXCEEDED'].includes(err.code);
}

export async function withRetry<T>(operation: () => Promise<T>, options: RetryOptions = {}, signal?: AbortSignal): Promise<T> {
  const { stepMs, maxMs, maxAttempts } = { ...DEFAULT_RETRY, ...options };
  for (let attempt = 1; ; attempt++) {
    try {
      return await operation();
    } catch (err) {
      if (isFinal(err) || attempt >= maxAttempts || signal?.aborted) throw err;
      await sleep(Math.min(maxMs, stepMs * (attempt - 1)), signal);
    }
  }
}
