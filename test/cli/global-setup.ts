// Builds dist/ with `npm run build:ts` before the tests when any lib/ source is newer than the
// built CLI, so the CLI tests (which spawn bin/auditcast.js as a user would) run on a fresh clone.
import { execFileSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = join(import.meta.dirname, '..', '..');

function newestSource(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const file = join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestSource(file));
    else if (entry.name.endsWith('.ts')) newest = Math.max(newest, statSync(file).mtimeMs);
  }
  return newest;
}

function builtAt(): number {
  try {
    return statSync(join(ROOT, 'dist', 'cli', 'main.js')).mtimeMs;
  } catch {
    return 0;
  }
}

export default function setup(): void {
  if (builtAt() >= newestSource(join(ROOT, 'lib'))) return;
  execFileSync('npm', ['run', 'build:ts'], { cwd: ROOT, stdio: ['ignore', 'inherit', 'inherit'] });
}
