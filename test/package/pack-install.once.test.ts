// The install promise: the packed package (npm pack) installs and works where the addon cannot be
// built. The tarball goes into a fresh directory twice: once with a PATH holding only node, npm
// and sh (no compiler, make or python: the install must succeed and the library run on the JS
// codec, saying why), once with the normal PATH (the addon compiles: backend 'native'). Each time
// the installed CLI imports, exports, verifies and searches a real recording. Needs the npm
// registry (or a warm npm cache) for the dependencies, nothing else.
import { execFile, execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..', '..');
const CORPUS = join(ROOT, '..', 'shared', 'corpus');
const SESSION_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/m;
const MINUTES = 60_000;

let work = '';
let tarball = '';

/** Runs a command (asynchronously: installs take minutes and the test worker must stay responsive). */
function run(cmd: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = process.env): Promise<{ stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    execFile(cmd, args, { cwd, env, encoding: 'utf8', maxBuffer: 64 << 20 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`${cmd} ${args.join(' ')} failed: ${err.message}\n${stdout}\n${stderr}`));
      else resolve({ stdout, stderr });
    });
  });
}

/** A PATH directory with node, npm and sh only (npm runs install scripts through sh). */
function bareBin(): string {
  const bin = join(work, 'bare-bin');
  mkdirSync(bin);
  const npmCli = join(dirname(process.execPath), '..', 'lib', 'node_modules', 'npm', 'bin', 'npm-cli.js');
  symlinkSync(process.execPath, join(bin, 'node'));
  symlinkSync(existsSync(npmCli) ? npmCli : execFileSync('sh', ['-c', 'command -v npm'], { encoding: 'utf8' }).trim(), join(bin, 'npm'));
  symlinkSync('/bin/sh', join(bin, 'sh'));
  return bin;
}

async function installInto(name: string, env: NodeJS.ProcessEnv): Promise<{ dir: string; log: string }> {
  const dir = join(work, name);
  mkdirSync(dir);
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: `install-${name}`, private: true, type: 'module' }));
  const { stdout, stderr } = await run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', '--foreground-scripts', tarball], dir, env);
  return { dir, log: stdout + stderr };
}

/** import, export, verify and search through the installed CLI, on a real script(1) capture. */
async function exercise(dir: string, env: NodeJS.ProcessEnv): Promise<{ backend: string; reason: string | null }> {
  const cli = join(dir, 'node_modules', 'auditcast', 'bin', 'auditcast.js');
  const data = join(dir, 'data');
  const node = async (args: string[]) => (await run(process.execPath, [cli, ...args, '--data-dir', data], dir, env)).stdout;
  const imported = await node(['import', '--from', 'script', join(CORPUS, 'typing.timing'), join(CORPUS, 'typing.typescript')]);
  const sid = SESSION_ID.exec(imported)?.[0];
  expect(sid, imported).toBeDefined();
  const json = (await node(['export', sid!, '--format', 'json'])).trim().split('\n').map((line) => JSON.parse(line));
  expect(json[0]).toMatchObject({ event: 'session.start', sid });
  expect(json.at(-1)).toMatchObject({ event: 'session.end', sid });
  expect(json.filter((e) => e.event === 'print').length).toBeGreaterThan(0);
  const report = JSON.parse(await node(['verify', sid!, '--json']));
  expect(report.events).toBeGreaterThan(json.length - 1);
  const found = (await node(['search', '--type', 'session.start', '--json'])).trim().split('\n').map((line) => JSON.parse(line));
  expect(found.map((e) => e.sid)).toEqual([sid]);
  const probe = "const m = await import('auditcast'); const c = await import('auditcast/constants');" +
    "console.log(JSON.stringify({ backend: m.backend, reason: m.nativeUnavailableReason, code: c.SessionStartCode }));";
  const info = JSON.parse((await run(process.execPath, ['--input-type=module', '-e', probe], dir, env)).stdout);
  expect(info.code).toBe('T2000I');
  return info;
}

describe('npm pack, then install the tarball', () => {
  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'auditcast-pack-'));
    // --ignore-scripts: dist/ is built by the test setup; prepare would rebuild it for nothing.
    await run('npm', ['run', 'build:ts'], ROOT);
    const packed = JSON.parse((await run('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', work], ROOT)).stdout);
    tarball = join(work, packed[0].filename);
    const files: string[] = packed[0].files.map((f: { path: string }) => f.path);
    expect(files).toContain('dist/index.js');
    expect(files).toContain('dist/constants.js');
    expect(files).toContain('binding.gyp');
    expect(files.some((f) => f.startsWith('test/'))).toBe(false);
  }, 5 * MINUTES);

  afterAll(() => {
    if (work) rmSync(work, { recursive: true, force: true });
  }, 5 * MINUTES);

  it('installs and works without a compiler, make or python (pure-JS codec, with the reason)', async () => {
    const bin = bareBin();
    for (const tool of ['cc', 'gcc', 'g++', 'c++', 'make', 'python3', 'python']) {
      expect(spawnSync('sh', ['-c', `command -v ${tool}`], { env: { PATH: bin } }).status, tool).not.toBe(0);
    }
    const env: NodeJS.ProcessEnv = { ...process.env, PATH: bin, AUDITCAST_FORCE_JS: '' };
    delete env.npm_config_nodedir;
    const { dir, log } = await installInto('bare', env);
    expect(log).toContain('auditcast: native addon not available, using the pure-JS codec');
    expect(existsSync(join(dir, 'node_modules', 'auditcast', 'build', 'Release', 'auditcast.node'))).toBe(false);
    const { backend, reason } = await exercise(dir, env);
    expect(backend).toBe('js');
    expect(reason).toMatch(/\S/);
  }, 10 * MINUTES);

  it('installs with the native addon where it can be built', async () => {
    const env = { ...process.env, AUDITCAST_FORCE_JS: '' };
    const { dir } = await installInto('normal', env);
    const release = join(dir, 'node_modules', 'auditcast', 'build', 'Release');
    expect(readdirSync(release).filter((f) => f.endsWith('.node'))).not.toEqual([]);
    const { backend, reason } = await exercise(dir, env);
    expect([backend, reason]).toEqual(['native', null]);
  }, 15 * MINUTES);

  it('keeps node-pty optional and ships prebuilds when present', () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
    expect(pkg.dependencies['node-pty']).toBeUndefined();
    expect(pkg.optionalDependencies['node-pty']).toBeDefined();
    expect(pkg.files).toContain('prebuilds');
    expect(pkg.scripts.prebuild).toBeUndefined();
  });
});
