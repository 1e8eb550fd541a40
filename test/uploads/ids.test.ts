import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { checkPartNumber, checkSessionId, checkUploadId, isUuid } from '../../lib/uploads/ids.js';

describe('ids', () => {
  it('accepts canonical UUIDs in either case', () => {
    const id = randomUUID();
    expect(checkSessionId(id)).toBe(id);
    expect(checkUploadId(id.toUpperCase())).toBe(id.toUpperCase());
    expect(isUuid('00000000-0000-0000-0000-000000000000')).toBe(true);
  });

  it('rejects everything else with BAD_PARAMETER naming the id', () => {
    for (const bad of [
      '', '../../etc/passwd', '/etc/passwd', `{${randomUUID()}}`, randomUUID().replace(/-/g, ''),
      `urn:uuid:${randomUUID()}`, `${randomUUID()}\0`, `${randomUUID()}\n`, 'g'.repeat(36), 'x'.repeat(1_000_000),
      undefined, null, 42, {},
    ]) {
      expect(() => checkSessionId(bad)).toThrow(expect.objectContaining({ code: 'BAD_PARAMETER', message: expect.stringContaining('session id') }));
      expect(() => checkUploadId(bad)).toThrow(expect.objectContaining({ code: 'BAD_PARAMETER', message: expect.stringContaining('upload id') }));
    }
  });

  it('keeps error messages short for oversized input', () => {
    try {
      checkSessionId('y'.repeat(1_000_000));
    } catch (err) {
      expect((err as Error).message.length).toBeLessThan(200);
    }
  });

  it('part numbers', () => {
    expect(checkPartNumber(0)).toBe(0);
    expect(checkPartNumber(10_000, 1, 10_000)).toBe(10_000);
    for (const bad of [-1, 0.5, Number.NaN, 2 ** 53, '1']) expect(() => checkPartNumber(bad)).toThrow(/part number/);
    expect(() => checkPartNumber(0, 1)).toThrow(/part number/);
  });
});
