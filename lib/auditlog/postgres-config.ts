// Where PostgresLog connects and how it keeps the table: a postgres:// URL whose fragment carries
// Teleport's pgevents settings (`#disable_cleanup=true&cleanup_interval=1h&retention_period=720h`),
// plus options for what a URL cannot say (timeouts, pool size, retry window).
import { badParameter } from '../errors.js';

export interface PostgresLogOptions {
  /** postgres:// or postgresql:// URL; the fragment may set the retention settings below. */
  url: string;
  /** Delete rows older than retentionPeriodMs every cleanupIntervalMs (default true). */
  cleanup?: boolean;
  /** Default 1 h (Teleport's defaultCleanupInterval). */
  cleanupIntervalMs?: number;
  /** Default 8766 h, one year (Teleport's defaultRetentionPeriod). */
  retentionPeriodMs?: number;
  /** Longest wait for a connection (default 10 s). */
  connectTimeoutMs?: number;
  /** Longest run of one statement, enforced by the server (default 30 s). */
  statementTimeoutMs?: number;
  /** How long an emit keeps retrying on connection errors before it fails (default 60 s). */
  retryTimeoutMs?: number;
  /** Connections in the pool (default 4). */
  poolSize?: number;
  /** Rows written by one INSERT at most when emits queue up (default 1000). */
  maxBatchRows?: number;
  /** Rows fetched per cursor read while paging (default 250). */
  cursorBatchRows?: number;
}

export interface PostgresLogConfig extends Required<Omit<PostgresLogOptions, 'url'>> {
  /** The URL without its fragment, as given to the driver. */
  connectionString: string;
  /** The URL with its password hidden, for messages. */
  displayUrl: string;
}

export const DEFAULT_CLEANUP_INTERVAL_MS = 60 * 60 * 1000;
export const DEFAULT_RETENTION_PERIOD_MS = 8766 * 60 * 60 * 1000;

const KNOWN_OPTIONS = new Set([
  'url', 'cleanup', 'cleanupIntervalMs', 'retentionPeriodMs', 'connectTimeoutMs', 'statementTimeoutMs',
  'retryTimeoutMs', 'poolSize', 'maxBatchRows', 'cursorBatchRows',
]);

const UNITS_MS: Record<string, number> = { ns: 1e-6, us: 1e-3, 'µs': 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** Go's time.ParseDuration for non-negative values ("1h", "90m", "1h30m", "1.5s"), in ms. */
export function parseGoDuration(text: string, what: string): number {
  if (text === '0') return 0;
  const part = /(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|ms|s|m|h)/y;
  let total = 0;
  let at = 0;
  while (at < text.length) {
    part.lastIndex = at;
    const m = part.exec(text);
    if (!m) throw badParameter(`${what}: invalid duration ${JSON.stringify(text)} (write it as Go does: 1h, 30m, 720h)`);
    total += Number(m[1]) * UNITS_MS[m[2]!]!;
    at = part.lastIndex;
  }
  if (text === '') throw badParameter(`${what}: empty duration`);
  return total;
}

function parseBool(text: string, what: string): boolean {
  // Go's strconv.ParseBool
  if (['1', 't', 'T', 'TRUE', 'true', 'True'].includes(text)) return true;
  if (['0', 'f', 'F', 'FALSE', 'false', 'False'].includes(text)) return false;
  throw badParameter(`${what}: invalid boolean ${JSON.stringify(text)}`);
}

export function isPostgresUrl(target: string): boolean {
  return /^postgres(ql)?:\/\//i.test(target);
}

function positive(value: number, name: string): number {
  if (!Number.isFinite(value) || value <= 0) throw badParameter(`PostgresLog ${name} must be a positive number, got ${value}`);
  return value;
}

function positiveInteger(value: number, name: string): number {
  if (!Number.isSafeInteger(value) || value <= 0) throw badParameter(`PostgresLog ${name} must be a positive integer, got ${value}`);
  return value;
}

/** Options (explicit ones win over the URL fragment) -> a checked configuration. */
export function postgresLogConfig(options: PostgresLogOptions): PostgresLogConfig {
  if (options === null || typeof options !== 'object') throw badParameter('PostgresLog needs options with a url');
  for (const key of Object.keys(options)) if (!KNOWN_OPTIONS.has(key)) throw badParameter(`unknown PostgresLog option ${JSON.stringify(key)}`);
  const { url } = options;
  if (typeof url !== 'string' || !isPostgresUrl(url)) {
    throw badParameter(`PostgresLog url must start with postgres:// or postgresql://, got ${JSON.stringify(String(url).replace(/:[^:@/]*@/, ':***@'))}`);
  }
  const hash = url.indexOf('#');
  const connectionString = hash < 0 ? url : url.slice(0, hash);
  let parsed: URL;
  try {
    parsed = new URL(connectionString);
  } catch (err) {
    throw badParameter(`PostgresLog url is not a URL: ${(err as Error).message}`, err);
  }
  if (parsed.password) parsed.password = '***';
  const fromFragment: Partial<PostgresLogOptions> = {};
  for (const [key, value] of new URLSearchParams(hash < 0 ? '' : url.slice(hash + 1))) {
    const what = `PostgresLog url fragment ${key}`;
    if (key === 'disable_cleanup') fromFragment.cleanup = !parseBool(value, what);
    else if (key === 'cleanup_interval') fromFragment.cleanupIntervalMs = parseGoDuration(value, what);
    else if (key === 'retention_period') fromFragment.retentionPeriodMs = parseGoDuration(value, what);
    else throw badParameter(`PostgresLog url fragment: unknown setting ${JSON.stringify(key)} (known: disable_cleanup, cleanup_interval, retention_period)`);
  }
  const pick = <K extends keyof PostgresLogOptions>(key: K, fallback: NonNullable<PostgresLogOptions[K]>): NonNullable<PostgresLogOptions[K]> =>
    (options[key] ?? fromFragment[key] ?? fallback) as NonNullable<PostgresLogOptions[K]>;
  const cleanup = pick('cleanup', true);
  if (typeof cleanup !== 'boolean') throw badParameter(`PostgresLog cleanup must be a boolean, got ${JSON.stringify(cleanup)}`);
  return {
    connectionString,
    displayUrl: parsed.toString(),
    cleanup,
    cleanupIntervalMs: positive(pick('cleanupIntervalMs', DEFAULT_CLEANUP_INTERVAL_MS), 'cleanup interval'),
    retentionPeriodMs: positive(pick('retentionPeriodMs', DEFAULT_RETENTION_PERIOD_MS), 'retention period'),
    connectTimeoutMs: positive(pick('connectTimeoutMs', 10_000), 'connectTimeoutMs'),
    statementTimeoutMs: positive(pick('statementTimeoutMs', 30_000), 'statementTimeoutMs'),
    retryTimeoutMs: positive(pick('retryTimeoutMs', 60_000), 'retryTimeoutMs'),
    poolSize: positiveInteger(pick('poolSize', 4), 'poolSize'),
    maxBatchRows: positiveInteger(pick('maxBatchRows', 1000), 'maxBatchRows'),
    cursorBatchRows: positiveInteger(pick('cursorBatchRows', 250), 'cursorBatchRows'),
  };
}
