// `auditcast record` on a full disk: a real 640 KiB tmpfs, mounted in a private mount namespace
// (unshare -rm: works for root and, where user namespaces are allowed, for anyone). The recorder
// must stop at once with a message that says why, exit non-zero and keep what reached the disk,
// which `recover` completes once the filesystem has room again.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BIN, ROOT, requireCommand, tempDir } from './cli-helpers.js';

const tmp = tempDir('auditcast-full-');
afterAll(() => tmp.cleanup());

describe('record on a full disk', () => {
  it('fails fast with a clear message, exits non-zero, and what was written is recoverable', () => {
    requireCommand('unshare', 'mount');
    const disk = join(tmp.dir, 'disk');
    const out = join(tmp.dir, 'out');
    mkdirSync(disk);
    mkdirSync(out);
    // 3 MB of base64 noise (~2.3 MB gzipped) cannot fit in 640 KiB. The command then waits: the
    // recorder reads its output faster than it can fail to store it, and it must end (hang up) the
    // session when recording fails, not let it run on unrecorded (the 30 s bound below).
    const script = [
      'set -u',
      `mount -t tmpfs -o size=640k tmpfs ${disk}`,
      `start=$(date +%s)`,
      `${process.execPath} ${BIN} record --data-dir ${disk}/data -- sh -c 'head -c 3000000 /dev/urandom | base64 | tee ${out}/printed; sleep 60' >/dev/null 2>${out}/record.err </dev/null`,
      `echo $? > ${out}/record.code`,
      `echo $(( $(date +%s) - start )) > ${out}/record.seconds`,
      `mount -o remount,size=64m ${disk}`,
      `${process.execPath} ${BIN} recover --data-dir ${disk}/data >${out}/recover.out 2>&1; echo $? > ${out}/recover.code`,
      `${process.execPath} ${BIN} ls --json --data-dir ${disk}/data >${out}/ls.json`,
      `for f in ${disk}/data/records/*.tar; do ${process.execPath} ${BIN} export "$f" -f text >${out}/exported; ${process.execPath} ${BIN} verify "$f" --json >${out}/verify.json; done`,
    ].join('\n');
    const result = spawnSync('unshare', ['-rm', 'sh', '-c', script], { cwd: ROOT, env: { ...process.env, AUDITCAST_NO_PROGRESS: '1' }, timeout: 120_000 });
    expect(result.status, result.stderr.toString()).toBe(0);
    const read = (name: string) => readFileSync(join(out, name), 'utf8');

    const recordErr = read('record.err');
    expect(Number(read('record.code'))).not.toBe(0);
    expect(Number(read('record.seconds'))).toBeLessThan(30);
    expect(recordErr).toMatch(/recording of session [0-9a-f-]{36} failed, ending the session: .*no space left/);
    expect(recordErr).toMatch(/what was recorded is kept; run 'auditcast recover [0-9a-f-]{36}'/);

    expect(read('recover.out')).toMatch(/session [0-9a-f-]{36}: recovered \d+ parts/);
    expect(Number(read('recover.code'))).toBe(0);
    const listed = read('ls.json').trim().split('\n').map((l) => JSON.parse(l) as { status: string });
    expect(listed.map((s) => s.status)).toEqual(['complete']);
    const verify = JSON.parse(read('verify.json')) as { status: string; printBytes: number };
    expect(verify.printBytes).toBeGreaterThan(64 * 1024);
    // What was kept is the start of what the program printed (the terminal turned \n into \r\n).
    const exported = read('exported').replace(/\r/g, '');
    const printed = read('printed');
    expect(exported.length).toBeGreaterThan(64 * 1024);
    expect(printed.startsWith(exported)).toBe(true);
  }, 150_000);
});
