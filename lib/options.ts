// The one option validator of every public constructor (as better-sqlite3 and sharp do): options
// are checked once, at the edge, against a schema that names each option's kind and range, with
// BAD_PARAMETER messages that name the option and its bad value; a misspelt option name is an
// error, not a silent default. The schema type lists every option of T, so an option added
// without a rule does not compile.
import { badParameter } from './errors.js';

export type OptionRule =
  | { kind: 'integer'; min?: number; max?: number }
  | { kind: 'number'; min?: number; max?: number }
  | { kind: 'string'; nonEmpty?: boolean; oneOf?: readonly string[] }
  | { kind: 'boolean' }
  | { kind: 'function' }
  | { kind: 'date' }
  | { kind: 'signal' }
  /** A non-null object: an interface implementation (uploader, emitter...) or nested options. */
  | { kind: 'object'; methods?: readonly string[] }
  | { kind: 'array' }
  /** Anything (checked where it is used). */
  | { kind: 'any' };

export type OptionsSchema<T> = { readonly [K in keyof Required<T>]-?: OptionRule & { required?: boolean } };

function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.length > 64 ? `${value.slice(0, 64)}...` : value);
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return `a ${typeof value}`;
}

function range(min: number | undefined, max: number | undefined): string {
  if (min !== undefined && max !== undefined) return ` between ${min} and ${max}`;
  if (min !== undefined) return ` >= ${min}`;
  if (max !== undefined) return ` <= ${max}`;
  return '';
}

/** Why `value` breaks `rule`, or null when it holds. */
function violation(rule: OptionRule, value: unknown): string | null {
  switch (rule.kind) {
    case 'integer':
    case 'number': {
      const ok = typeof value === 'number' && !Number.isNaN(value) && (rule.kind === 'number' || Number.isSafeInteger(value))
        && (rule.min === undefined || value >= rule.min) && (rule.max === undefined || value <= rule.max);
      return ok ? null : `must be ${rule.kind === 'integer' ? 'an integer' : 'a number'}${range(rule.min, rule.max)}`;
    }
    case 'string':
      if (typeof value !== 'string') return 'must be a string';
      if (rule.nonEmpty && value === '') return 'must be a non-empty string';
      if (rule.oneOf && !rule.oneOf.includes(value)) return `must be one of ${rule.oneOf.map((v) => JSON.stringify(v)).join(', ')}`;
      return null;
    case 'boolean':
      return typeof value === 'boolean' ? null : 'must be true or false';
    case 'function':
      return typeof value === 'function' ? null : 'must be a function';
    case 'date':
      return value instanceof Date && !Number.isNaN(value.getTime()) ? null : 'must be a valid Date';
    case 'signal':
      return value instanceof AbortSignal ? null : 'must be an AbortSignal';
    case 'array':
      return Array.isArray(value) ? null : 'must be an array';
    case 'object': {
      if (value === null || typeof value !== 'object') return 'must be an object';
      const missing = (rule.methods ?? []).find((m) => typeof (value as Record<string, unknown>)[m] !== 'function');
      return missing ? `must have a ${missing}() method` : null;
    }
    case 'any':
      return null;
  }
}

/**
 * Checks `options` of the constructor `where` against `schema` and returns them typed. Undefined
 * values count as absent (their defaults apply); a required option must be present.
 */
export function checkOptions<T extends object>(where: string, options: unknown, schema: OptionsSchema<T>): T {
  if (options === undefined) options = {};
  if (options === null || typeof options !== 'object' || Array.isArray(options)) {
    throw badParameter(`${where}: options must be an object, got ${describe(options)}`);
  }
  const rules = schema as Record<string, OptionRule & { required?: boolean }>;
  const values = options as Record<string, unknown>;
  for (const key of Object.keys(values)) {
    if (!Object.prototype.hasOwnProperty.call(rules, key)) {
      throw badParameter(`${where}: unknown option ${JSON.stringify(key)} (known: ${Object.keys(rules).join(', ')})`);
    }
  }
  for (const [name, rule] of Object.entries(rules)) {
    const value = values[name];
    if (value === undefined) {
      if (rule.required) throw badParameter(`${where}: option ${name} is required`);
      continue;
    }
    const why = violation(rule, value);
    if (why) throw badParameter(`${where}: option ${name} ${why}, got ${describe(value)}`);
  }
  return options as T;
}
