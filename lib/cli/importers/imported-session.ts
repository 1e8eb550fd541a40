// What every importer returns: the session id and its events in recording order, ready for a
// ProtoStream. Importers are deterministic: ids and times come from the input or are derived
// from its hash, never from the clock or a random source.
import type { AuditEventInput } from '../../events/event.js';
import { CliError } from '../errors.js';

export interface ImportedSession {
  sessionId: string;
  events: Iterable<AuditEventInput>;
  /** Bytes of input read (for progress). */
  inputBytes: number;
  /** What the input held that the recording cannot keep, one line each; complete once `events` is read. */
  dropped?: () => string[];
}

export interface ImportOptions {
  /** Overrides the derived session id. */
  sessionId?: string;
  /** Overrides the terminal size found in the input (or the 80x24 default). */
  size?: { cols: number; rows: number };
  title?: string;
}

export const DEFAULT_SIZE = { cols: 80, rows: 24 };

/** Exact seconds ("0.022561", "12", "1.5e-3" is refused) → nanoseconds. */
export function parseSecondsNs(text: string, where: string): bigint {
  const m = /^(\d+)(?:\.(\d*))?$/.exec(text);
  if (!m) throw new CliError(`${where}: bad time ${JSON.stringify(text)}`);
  const frac = (m[2] ?? '').slice(0, 9).padEnd(9, '0');
  return BigInt(m[1]!) * 1_000_000_000n + BigInt(frac);
}

export function lineError(file: string, line: number, message: string): CliError {
  return new CliError(`${file}:${line}: ${message}`);
}
