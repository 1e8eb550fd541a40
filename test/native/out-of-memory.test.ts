// An allocation that fails inside the native inflater is a coded error, never a crash or a plain
// Error: a child process under a 1.5 GiB address-space limit (prlimit) inflates a section whose
// gzip trailer promises 2 GiB, so the first output allocation fails. On the JS backend the same
// bytes are a CORRUPTED section (it never allocates ahead). Not under test/codec: the sanitizer
// run (scripts/test-sanitized.sh) cannot work under an address-space limit (ASan's shadow memory).
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { forceJs } from '../codec/codec-helpers.js';

const ROOT = join(import.meta.dirname, '..', '..');
const CHILD = `
const { codec } = await import(${JSON.stringify(join(ROOT, 'dist', 'codec', 'index.js'))});
const section = Buffer.alloc(2 << 20, 0x55);
section.set([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 4, 255]);
section.writeUInt32LE(2 ** 31, section.length - 4);
try {
  codec.inflateSection(section, { maxInflatedBytes: 3 * 2 ** 30 });
  console.log(JSON.stringify({ backend: codec.backend, result: 'inflated' }));
} catch (err) {
  console.log(JSON.stringify({ backend: codec.backend, name: err.constructor.name, code: err.code ?? null, message: err.message }));
}
`;

describe('native out of memory', () => {
  it('a failed allocation while inflating is LIMIT_EXCEEDED "out of memory" (native), CORRUPTED (JS)', () => {
    const run = spawnSync('prlimit', [`--as=${3 * 2 ** 29}`, process.execPath, '--input-type=module', '-e', CHILD], { encoding: 'utf8', timeout: 60_000 });
    expect(run.status, run.stderr).toBe(0);
    const result = JSON.parse(run.stdout.trim().split('\n').pop()!);
    if (forceJs) {
      expect(result).toMatchObject({ backend: 'js', name: 'AuditcastError', code: 'CORRUPTED' });
    } else {
      expect(result).toEqual({ backend: 'native', name: 'AuditcastError', code: 'LIMIT_EXCEEDED', message: 'out of memory while inflating the part' });
    }
  });
});
