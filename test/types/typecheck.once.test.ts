// The library, the tests and the benchmarks type-check (tsconfig.test.json) and so does the web
// app (web/tsconfig.json): vitest strips types without checking them, so a wrong type in a test
// or a benchmark would otherwise go unseen.
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..', '..');
const TSC = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');

function typeErrors(project: string): string {
  try {
    return execFileSync(process.execPath, [TSC, '--noEmit', '-p', join(ROOT, project)], { encoding: 'utf8' });
  } catch (err) {
    return String((err as { stdout?: string }).stdout ?? err);
  }
}

describe('type checking', () => {
  it('lib, test and bench', () => {
    expect(typeErrors('tsconfig.test.json')).toBe('');
  }, 300_000);

  it('the web app', () => {
    expect(typeErrors(join('web', 'tsconfig.json'))).toBe('');
  }, 300_000);
});
