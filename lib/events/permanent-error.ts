// Teleport's IsPermanentEmitError: an emit error is not worth retrying when it is a bad parameter,
// or an aggregate whose every error is. Wrapping (Error.cause) is looked through, as Go's
// errors.As / trace.Unwrap do.
import { AuditcastError } from '../errors.js';

function causes(err: unknown): unknown[] {
  const chain: unknown[] = [];
  const seen = new Set<unknown>();
  let current = err;
  while (current !== null && current !== undefined && !seen.has(current)) {
    seen.add(current);
    chain.push(current);
    current = current instanceof Error ? current.cause : undefined;
  }
  return chain;
}

function isBadParameter(err: unknown): boolean {
  return causes(err).some((e) => e instanceof AuditcastError && e.code === 'BAD_PARAMETER');
}

/** True when every leaf of the error (through causes and AggregateErrors) is a BAD_PARAMETER. */
export function isPermanentEmitError(err: unknown): boolean {
  if (err === null || err === undefined) return false;
  const aggregate = causes(err).find((e): e is AggregateError => e instanceof AggregateError);
  if (aggregate) {
    const members = aggregate.errors.filter((e) => e !== null && e !== undefined);
    return members.length > 0 && members.every(isPermanentEmitError);
  }
  return isBadParameter(err);
}
