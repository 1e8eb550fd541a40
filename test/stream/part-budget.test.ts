// The part memory budget (maxPartBytes): a part's compressed bytes, inflated records and record
// bounds must fit, checked before allocating. Hostile parts (issue 11 item 12) are refused with
// LIMIT_EXCEEDED and the reading process stays under 400 MiB peak RSS, measured in a child.
import { spawnSync } from 'node:child_process';
import { createWriteStream, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import zlib from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { AuditcastError } from '../../lib/errors.js';
import { PART_HEADER_SIZE, writePartHeader } from '../../lib/codec/part-format.js';
import { ProtoReader } from '../../lib/stream/proto-reader.js';
import { makePart } from '../helpers/recording.js';

const dir = mkdtempSync(join(tmpdir(), 'auditcast-budget-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A recording file of one part whose gzip member holds `chunks` times `chunk`, built as a stream. */
async function hostileRecording(name: string, chunk: Buffer, chunks: number): Promise<string> {
  const gz = join(dir, `${name}.gz`);
  await pipeline(Readable.from((function* () { for (let i = 0; i < chunks; i++) yield chunk; })()), zlib.createGzip({ level: 9 }), createWriteStream(gz));
  const section = readFileSync(gz);
  const part = Buffer.alloc(PART_HEADER_SIZE + section.length);
  writePartHeader(part, 0, section.length, 0);
  section.copy(part, PART_HEADER_SIZE);
  const file = join(dir, `${name}.tar`);
  writeFileSync(file, part);
  return file;
}

function readInChild(file: string): { code: string | null; events: number; peakRssMiB: number; backend: string } {
  const script = join(import.meta.dirname, '..', 'helpers', 'read-peak-rss.mjs');
  // Through sh, which forks: the child must not start with this process's maxRSS.
  const run = spawnSync('/bin/sh', ['-c', '"$@"', 'sh', process.execPath, script, file], { encoding: 'utf8', timeout: 120_000 });
  expect(run.status, run.stderr).toBe(0);
  return JSON.parse(run.stdout.trim().split('\n').pop()!);
}

/** Framed records of 1 byte each: 5 bytes per record, the most records per inflated byte. */
function tinyRecords(bytes: number): Buffer {
  const out = Buffer.alloc(bytes - (bytes % 5));
  for (let at = 0; at < out.length; at += 5) out[at + 3] = 1;
  return out;
}

describe('part memory budget (maxPartBytes)', () => {
  it('a small part inflating to 250 MiB of tiny records: LIMIT_EXCEEDED, peak RSS < 400 MiB', async () => {
    const file = await hostileRecording('tiny', tinyRecords(1 << 20), 250);
    const result = readInChild(file);
    expect(result).toMatchObject({ code: 'LIMIT_EXCEEDED', events: 0 });
    expect(result.peakRssMiB).toBeLessThan(400);
  });

  it('254 KiB of gzipped zeros (about 250 MiB): LIMIT_EXCEEDED, peak RSS < 400 MiB', async () => {
    const file = await hostileRecording('zeros', Buffer.alloc(1 << 20), 250);
    const result = readInChild(file);
    expect(result).toMatchObject({ code: 'LIMIT_EXCEEDED', events: 0 });
    expect(result.peakRssMiB).toBeLessThan(400);
  });

  it('records plus their bounds over the budget are refused before the bounds are allocated; within it they read', async () => {
    // 1000 one-byte records: 5000 inflated bytes + 8000 bytes of bounds (not valid events, so the
    // read that fits fails on decoding the first record, after the budget check passed).
    const part = makePart(tinyRecords(5000));
    const sectionBytes = part.length - PART_HEADER_SIZE;
    const over = new ProtoReader(part, { maxPartBytes: sectionBytes + 5000 + 8000 - 1 });
    const err = await over.read().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AuditcastError);
    expect(err).toMatchObject({ code: 'LIMIT_EXCEEDED', message: expect.stringMatching(/part 1 \(at byte 0\): part needs 13000 bytes for its records and their bounds, more than 12999 bytes \(maxPartBytes\)/) });
    const within = new ProtoReader(part, { maxPartBytes: sectionBytes + 5000 + 8000 });
    expect(await within.read().catch((e: AuditcastError) => e.code)).toBe('CORRUPTED');
  });
});
