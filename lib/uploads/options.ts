// Option checking shared by the uploaders: options are validated once, at the edge, with messages
// that name the option and the bad value; a misspelt option name is an error, not a silent default.
import { badParameter } from '../errors.js';

export function checkOptionNames(where: string, options: object, allowed: readonly string[]): void {
  for (const key of Object.keys(options)) {
    if (!allowed.includes(key)) {
      throw badParameter(`${where}: unknown option ${JSON.stringify(key)} (known: ${allowed.join(', ')})`);
    }
  }
}

export function checkPositiveInteger(where: string, name: string, value: unknown, min = 1): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min) {
    throw badParameter(`${where}: ${name} must be an integer >= ${min}, got ${String(value)}`);
  }
  return value;
}

export function checkNonEmptyString(where: string, name: string, value: unknown): string {
  if (typeof value !== 'string' || value === '') {
    throw badParameter(`${where}: ${name} must be a non-empty string, got ${JSON.stringify(value)}`);
  }
  return value;
}
