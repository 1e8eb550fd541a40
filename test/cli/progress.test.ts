// Long work shows a progress bar on stderr when it is a terminal, and nothing on a pipe.
import { execSync } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, CORPUS, requireCommand, run, tempDir } from './cli-helpers.js';

const tmp = tempDir();
afterAll(() => tmp.cleanup());
const tar = join(tmp.dir, 'build.tar');

beforeAll(async () => {
  expect((await run(['import', '--from', 'script', join(CORPUS, 'build.timing'), join(CORPUS, 'build.typescript'), '-o', tar])).code).toBe(0);
});

describe('progress', () => {
  it('prints nothing on stderr when it is a pipe', async () => {
    const r = await run(['export', tar, '-f', 'json', '-o', join(tmp.dir, 'a.json')], { env: { AUDITCAST_NO_PROGRESS: undefined } });
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.stdout.length).toBe(0);
  });

  it('draws and clears a bar when stderr is a terminal', () => {
    requireCommand('script');
    const env = { ...process.env };
    delete env.AUDITCAST_NO_PROGRESS;
    const out = execSync(`script -q -c '${process.execPath} ${BIN} verify ${tar} > /dev/null' /dev/null`, { env, timeout: 30_000 }).toString('latin1');
    expect(out).toMatch(/\rverifying \[[#-]+\]\s+\d+%/);
    expect(out).toMatch(/\r\x1b\[K$/);
  });
});
