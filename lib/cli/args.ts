// Argument parsing on node:util parseArgs, with the options every command shares and errors turned
// into UsageError (exit 2).
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { UsageError } from './errors.js';

export type OptionSpec = NonNullable<ParseArgsConfig['options']>;

export const COMMON_OPTIONS = {
  'data-dir': { type: 'string' },
  debug: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const satisfies OptionSpec;

export interface CommonOptions {
  dataDir?: string;
  debug: boolean;
  help: boolean;
}

export interface Parsed<V> {
  values: V & CommonOptions;
  positionals: string[];
}

/** Parses argv (after the command name) against the command's own options plus the common ones. */
export function parseCommand<const O extends OptionSpec>(command: string, argv: readonly string[], options: O): Parsed<Record<string, unknown>> {
  let parsed;
  try {
    parsed = parseArgs({ args: [...argv], options: { ...COMMON_OPTIONS, ...options }, allowPositionals: true, strict: true });
  } catch (err) {
    throw new UsageError(cleanParseError(err), command);
  }
  const values = parsed.values as Record<string, unknown>;
  return {
    values: { ...values, dataDir: values['data-dir'] as string | undefined, debug: values.debug === true, help: values.help === true },
    positionals: parsed.positionals,
  };
}

function cleanParseError(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  const ambiguous = /^Option '(--[\w-]+)'(?:.*) argument is ambiguous/.exec(message);
  if (ambiguous) return `${ambiguous[1]} needs a value (write ${ambiguous[1]}=VALUE for a value that starts with a dash)`;
  // parseArgs appends advice about '--' that reads oddly for most mistakes: keep the first sentence.
  return message.split('\n')[0]!.replace(/\. To specify a positional argument.*$/, '').replace(/\.$/, '');
}

export function stringOption(values: Record<string, unknown>, name: string): string | undefined {
  const v = values[name];
  return typeof v === 'string' ? v : undefined;
}

export function stringList(values: Record<string, unknown>, name: string): string[] {
  const v = values[name];
  if (v === undefined) return [];
  const list = Array.isArray(v) ? (v as string[]) : [v as string];
  return list.flatMap((s) => s.split(',')).map((s) => s.trim()).filter((s) => s !== '');
}

/** A number option: finite, and within [min, max]. */
export function numberOption(command: string, values: Record<string, unknown>, name: string, min: number, max = Infinity): number | undefined {
  const v = stringOption(values, name);
  if (v === undefined) return undefined;
  const n = Number(v);
  if (v.trim() === '' || !Number.isFinite(n) || n < min || n > max) {
    throw new UsageError(`--${name} must be a number${max === Infinity ? ` >= ${min}` : ` in [${min}, ${max}]`}, got ${JSON.stringify(v)}`, command);
  }
  return n;
}

export function integerOption(command: string, values: Record<string, unknown>, name: string, min: number, max = Infinity): number | undefined {
  const n = numberOption(command, values, name, min, max);
  if (n !== undefined && !Number.isSafeInteger(n)) throw new UsageError(`--${name} must be an integer, got ${n}`, command);
  return n;
}

export function choiceOption<T extends string>(command: string, values: Record<string, unknown>, name: string, choices: readonly T[]): T | undefined {
  const v = stringOption(values, name);
  if (v === undefined) return undefined;
  if (!(choices as readonly string[]).includes(v)) {
    throw new UsageError(`--${name} must be one of ${choices.join(', ')}, got ${JSON.stringify(v)}`, command);
  }
  return v as T;
}

export function expectPositionals(command: string, positionals: readonly string[], min: number, max: number, what: string): void {
  if (positionals.length < min) throw new UsageError(`missing ${what}`, command);
  if (positionals.length > max) throw new UsageError(`unexpected argument ${JSON.stringify(positionals[max])}`, command);
}
