import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sessionRecording } from '../helpers/screen-sessions.js';
import { CORPUS, run, tempDir } from './cli-helpers.js';

const VIM_SID = '516965e5-e6ef-11e9-9d5b-42010a80002b';
const NPM_SID = '037e2e3e-e6f5-11e9-a7ac-42010a80002b';

let tmp: ReturnType<typeof tempDir>;
let env: Record<string, string>;
let teleportRecords: string;

beforeAll(async () => {
  tmp = tempDir('auditcast-screen-cli-');
  env = { AUDITCAST_DATA_DIR: join(tmp.dir, 'data') };
  // A Teleport-style records directory: <sid>.tar files, not ours to write into.
  teleportRecords = join(tmp.dir, 'teleport-records');
  mkdirSync(teleportRecords);
  writeFileSync(join(teleportRecords, `${VIM_SID}.tar`), await sessionRecording('vim'));
  writeFileSync(join(teleportRecords, `${NPM_SID}.tar`), await sessionRecording('npm'));
});

afterAll(() => tmp.cleanup());

describe('auditcast index, grep, export --format txt|screen', () => {
  it('import indexes what it writes; grep finds typed text with session, mm:ss and line', async () => {
    const imported = await run(['import', '--from', 'script', join(CORPUS, 'typing.timing'), join(CORPUS, 'typing.typescript')], { env });
    expect(imported.code).toBe(0);
    const sid = imported.stdout.toString().trim();
    const grep = await run(['grep', 'ls -la /etc'], { env });
    expect(grep.stderr).toBe('');
    expect(grep.stdout.toString()).toBe(`${sid}  00:00  -  bash-5.2# ls -la /etc | head -40\n`);
  });

  it('index --recordings DIR indexes Teleport recordings without writing next to them', async () => {
    const r = await run(['index', '--recordings', teleportRecords], { env });
    expect(r.stderr).toBe('');
    const out = r.stdout.toString();
    expect(out).toMatch(new RegExp(`^${VIM_SID}  indexed  01:05  \\d+ keyframes  \\d+ lines$`, 'm'));
    expect(out).toMatch(new RegExp(`^${NPM_SID}  indexed  \\d\\d:\\d\\d  \\d+ keyframes  \\d+ lines$`, 'm'));
    const again = await run(['index', '--recordings', teleportRecords], { env });
    expect(again.stdout.toString()).toMatch(new RegExp(`^${VIM_SID}  fresh`, 'm'));
    const { readdirSync } = await import('node:fs');
    expect(readdirSync(teleportRecords).sort()).toEqual([`${NPM_SID}.tar`, `${VIM_SID}.tar`].sort());
  });

  it('grep: prefix query, --session, --json, and exit 1 when nothing matches', async () => {
    const r = await run(['grep', 'npm inst*', '--json'], { env });
    expect(r.code).toBe(0);
    const hits = r.stdout.toString().trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(hits[0]).toMatchObject({ session: NPM_SID, user: 'rjones', offset: expect.stringMatching(/^\d\d:\d\d$/), line: expect.stringContaining('npm install') });
    const vimOnly = await run(['grep', 'rjones', '--session', VIM_SID, '-n', '5'], { env });
    const lines = vimOnly.stdout.toString().trim().split('\n');
    expect(lines).toHaveLength(5);
    expect(lines.every((l) => l.startsWith(`${VIM_SID}  `) && l.includes('  rjones  '))).toBe(true);
    const none = await run(['grep', 'no such words anywhere'], { env });
    expect([none.code, none.stdout.toString()]).toEqual([1, '']);
  });

  it('export --format screen --at shows the screen at that moment; --format txt the session as text', async () => {
    const at = await run(['export', join(teleportRecords, `${VIM_SID}.tar`), '--format', 'screen', '--at', '0:06'], { env });
    expect(at.stderr).toBe('');
    expect(at.stdout.toString()).toContain('-rwxrwxr-x  1 rjones rjones 3185680 Sep 30 23:35 execsnoop*');
    const txt = await run(['export', join(teleportRecords, `${VIM_SID}.tar`), '--format', 'txt'], { env });
    const text = txt.stdout.toString();
    expect(text).toContain('*** System restart required ***\n');
    expect(text).toContain('func creds() *syscall.Credential {\n');
    expect(text).not.toMatch(/\x1b/);
    const bad = await run(['export', join(teleportRecords, `${VIM_SID}.tar`), '--format', 'screen'], { env });
    expect(bad.code).toBe(2);
  });

  it('import returns before indexing: a detached indexer builds the index on its own', async () => {
    const bg = { ...env, AUDITCAST_DATA_DIR: join(tmp.dir, 'data-bg'), AUDITCAST_INDEX: 'background' };
    const imported = await run(['import', '--from', 'script', join(CORPUS, 'typing.timing'), join(CORPUS, 'typing.typescript')], { env: bg });
    const sid = imported.stdout.toString().trim();
    const { existsSync } = await import('node:fs');
    const seek = join(tmp.dir, 'data-bg', 'index', `${sid}.seek`);
    // No grep or index command runs: only the background process can build it.
    const deadline = Date.now() + 60_000;
    while (!(existsSync(seek) && !existsSync(`${seek}.lock`)) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    expect(existsSync(seek)).toBe(true);
    const index = await run(['index', sid], { env: bg });
    expect(index.stdout.toString()).toMatch(new RegExp(`^${sid}  fresh  `));
  });

  it('with AUDITCAST_INDEX=off nothing is indexed on import; grep indexes what is missing first, once', async () => {
    const lazy = { ...env, AUDITCAST_DATA_DIR: join(tmp.dir, 'data-lazy'), AUDITCAST_INDEX: 'off' };
    const imported = await run(['import', '--from', 'script', join(CORPUS, 'typing.timing'), join(CORPUS, 'typing.typescript')], { env: lazy });
    const sid = imported.stdout.toString().trim();
    const { existsSync } = await import('node:fs');
    expect(existsSync(join(tmp.dir, 'data-lazy', 'index'))).toBe(false);
    const grep = await run(['grep', 'adduser.conf'], { env: lazy });
    expect([grep.code, grep.stderr]).toEqual([0, '']);
    expect(grep.stdout.toString()).toMatch(new RegExp(`^${sid}  00:0\\d  -  .*adduser\\.conf`, 'm'));
    const index = await run(['index', sid], { env: lazy });
    expect(index.stdout.toString()).toMatch(new RegExp(`^${sid}  fresh  `));
  });

  it('without better-sqlite3, grep says so in one line; index still builds seek indexes', async () => {
    const hide = join(tmp.dir, 'hide-sqlite.cjs');
    writeFileSync(hide, `const M = require('module'); const r = M._resolveFilename;
M._resolveFilename = function (req, ...rest) { if (req === 'better-sqlite3') throw new Error("Cannot find module 'better-sqlite3'"); return r.call(this, req, ...rest); };`);
    const noSqlite = { ...env, AUDITCAST_DATA_DIR: join(tmp.dir, 'data2'), NODE_OPTIONS: `--require ${hide}` };
    const grep = await run(['grep', 'anything'], { env: noSqlite });
    expect(grep.code).toBe(1);
    expect(grep.stderr.trim().split('\n')).toHaveLength(1);
    expect(grep.stderr).toMatch(/^auditcast grep: full-text search needs the optional package better-sqlite3/);
    const index = await run(['index', '--recordings', teleportRecords], { env: noSqlite });
    expect(index.code).toBe(0);
    expect(index.stdout.toString()).toMatch(/keyframes {2}no text index/);
  });
});
