// Wrong input is named, never silently accepted: a --data-dir that does not exist, unknown
// --type names, AUDITCAST_FORCE_JS spellings, verify --json on an empty file.
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ROOT, run, tempDir } from './cli-helpers.js';

const tmp = tempDir('auditcast-named-');
afterAll(() => tmp.cleanup());

describe('named wrong input', () => {
  it('ls and search refuse a --data-dir (or AUDITCAST_DATA_DIR) that does not exist', async () => {
    const missing = join(tmp.dir, 'no-such-data');
    for (const command of ['ls', 'search']) {
      const r = await run([command, '--data-dir', missing]);
      expect(r.code).toBe(1);
      expect(r.stderr).toBe(`auditcast ${command}: data dir ${missing} does not exist (from --data-dir)\n`);
      const e = await run([command], { env: { AUDITCAST_DATA_DIR: missing } });
      expect(e.stderr).toMatch(/does not exist \(from AUDITCAST_DATA_DIR\)/);
    }
  });

  it('search refuses an unknown --type and suggests the real ones', async () => {
    const r = await run(['search', '--type', 'session.begin']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^auditcast search: --type "session\.begin" is not a Teleport event type \(did you mean .*session\.start/);
    const ok = await run(['search', '--type', 'session.start,user.login', '--data-dir', tmp.dir]);
    expect(ok.code).toBe(0);
  });

  it('AUDITCAST_FORCE_JS accepts 1, true and yes in any case, and names what it does not understand', () => {
    const probe = (value: string) => spawnSync(process.execPath, ['--input-type=module', '-e', "import { backend } from './dist/codec/index.js'; console.log(backend)"], {
      cwd: ROOT, env: { ...process.env, AUDITCAST_FORCE_JS: value }, encoding: 'utf8',
    });
    for (const value of ['1', 'true', 'TRUE', 'yes', 'Yes']) expect(probe(value).stdout.trim(), value).toBe('js');
    for (const value of ['0', 'false', 'no', '']) {
      const r = probe(value);
      expect(r.stdout.trim(), value).toBe('native');
      expect(r.stderr).not.toMatch(/AUDITCAST_FORCE_JS/);
    }
    const odd = probe('maybe');
    expect(odd.stderr).toMatch(/AUDITCAST_FORCE_JS="maybe" is not understood/);
  });

  it('verify --json prints JSON for an empty file', async () => {
    const empty = join(tmp.dir, 'empty.tar');
    writeFileSync(empty, '');
    const r = await run(['verify', empty, '--json']);
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout.toString())).toMatchObject({ file: empty, ok: false, error: { code: 'CORRUPTED' } });
    expect(r.stderr).toMatch(/empty\.tar: empty file, not a recording/);
  });
});

describe('non-seekable input', () => {
  it('verify, export and play name a FIFO and standard input instead of failing with ESPIPE', async () => {
    const { execFileSync } = await import('node:child_process');
    const fifo = join(tmp.dir, 'pipe.tar');
    execFileSync('mkfifo', [fifo]);
    for (const command of [['verify', fifo], ['export', fifo, '-f', 'json'], ['play', fifo]]) {
      const r = await run(command);
      expect(r.code).toBe(1);
      expect(r.stderr).toBe(`auditcast ${command[0]}: ${fifo}: not a regular file (a pipe, FIFO or device); recordings are read from files: save it first, e.g. \`cat ${fifo} > session.tar\` [BAD_PARAMETER]\n`);
      expect(r.stderr).not.toMatch(/ESPIPE/);
    }
    const dash = await run(['verify', '-']);
    expect(dash.code).toBe(1);
    expect(dash.stderr).toMatch(/^auditcast verify: reading a recording from standard input is not supported: it needs a file/);
  });

  it('import reads - as standard input', async () => {
    const asciicast = '{"version":2,"width":80,"height":24,"timestamp":1700000000}\n[0.5,"o","hello"]\n';
    const out = join(tmp.dir, 'stdin.tar');
    const r = await run(['import', '--from', 'asciicast', '-', '-o', out], { input: asciicast });
    expect(r.code, r.stderr).toBe(0);
    expect((await run(['export', out, '-f', 'text'])).stdout.toString()).toBe('hello');
  });
});
