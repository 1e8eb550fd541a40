// Opening the full-text index fails with a coded error that names the file, never SQLite's bare words.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AuditcastError } from '../../lib/errors.js';
import { TextIndex } from '../../lib/index-store/text-index.js';
import { tempDir } from '../helpers/temp-dir.js';

describe('opening the full-text index', () => {
  it('a directory where the index file belongs is ACCESS_DENIED naming text.sqlite', () => {
    const dir = tempDir('auditcast-text-open-');
    mkdirSync(join(dir, 'text.sqlite'));
    const err = (() => { try { TextIndex.open(dir); } catch (e) { return e; } })() as AuditcastError;
    expect(err).toBeInstanceOf(AuditcastError);
    expect(err.code).toBe('ACCESS_DENIED');
    expect(err.message).toContain(join(dir, 'text.sqlite'));
  });

  it('a file that is not a database is CORRUPTED naming it, and says it is rebuilt', () => {
    const dir = tempDir('auditcast-text-open-');
    writeFileSync(join(dir, 'text.sqlite'), Buffer.alloc(8192, 0x41));
    const err = (() => { try { TextIndex.open(dir); } catch (e) { return e; } })() as AuditcastError;
    expect(err).toBeInstanceOf(AuditcastError);
    expect(err.code).toBe('CORRUPTED');
    expect(err.message).toContain(join(dir, 'text.sqlite'));
    expect(err.message).toContain('rebuilt');
  });
});
