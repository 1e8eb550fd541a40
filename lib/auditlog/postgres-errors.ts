// Driver and server errors -> AuditcastError with a stable code, and which of them an idempotent
// write may retry (the connection went away, the server is starting or shutting down).
import { AuditcastError, type ErrorCode, isAuditcastError } from '../errors.js';

interface DriverError extends Error {
  /** SQLSTATE from the server, or a Node errno code (ECONNREFUSED...). */
  code?: string;
}

const NODE_CONNECTION_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'ENOENT']);

/** SQLSTATE classes and codes: 08 connection exception, 57P01-03 shutdown / starting up, 53300 too many connections. */
function isConnectionSqlState(code: string): boolean {
  return code.startsWith('08') || code === '57P01' || code === '57P02' || code === '57P03' || code === '53300';
}

/** True for failures after which the same statement may succeed on a new connection. */
export function isRetryable(err: unknown): boolean {
  if (isAuditcastError(err)) return err.code === 'CONNECTION_PROBLEM' && (err.cause === undefined || isRetryable(err.cause));
  const e = err as DriverError | undefined;
  if (!e || typeof e !== 'object') return false;
  if (typeof e.code === 'string' && (NODE_CONNECTION_CODES.has(e.code) || isConnectionSqlState(e.code))) return true;
  return /Connection terminated|connection timeout|timeout exceeded when trying to connect|Client has encountered a connection error|Connection ended|not queryable/i.test(e.message ?? '');
}

function codeOf(err: DriverError): ErrorCode {
  const code = err.code ?? '';
  if (code === '28P01' || code === '28000' || code === '42501' || code.startsWith('28')) return 'ACCESS_DENIED';
  if (code === '57014') return 'LIMIT_EXCEEDED'; // statement timeout / canceled
  if (code === '3D000') return 'NOT_FOUND'; // database does not exist
  if (code.startsWith('22') || code.startsWith('23')) return 'BAD_PARAMETER';
  return 'CONNECTION_PROBLEM';
}

/** Wraps a driver error: `what` says what was being done, `where` which server. */
export function postgresError(err: unknown, what: string, where: string): AuditcastError {
  if (isAuditcastError(err)) return err;
  const e = (err instanceof Error ? err : new Error(String(err))) as DriverError;
  const sqlState = e.code && /^[0-9A-Z]{5}$/.test(e.code) ? ` (SQLSTATE ${e.code})` : e.code ? ` (${e.code})` : '';
  const detail = e.message || (e instanceof AggregateError ? e.errors.map((x: Error) => x.message).join('; ') : 'unknown error');
  return new AuditcastError(codeOf(e), `PostgreSQL ${where}: ${what}: ${detail}${sqlState}`, { cause: err });
}
