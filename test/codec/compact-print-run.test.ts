// CompactPrintRun keeps prints as data, lengths and segments: what it gives back (batch(), after())
// must be exactly the PrintBatch a PrintBatchBuilder makes of the same pushes, whatever breaks the
// segments (index gaps, time changes, delays, data of any length up to 64 KiB).
import { describe, expect, it } from 'vitest';
import { CompactPrintRun } from '../../lib/codec/compact-print-run.js';
import type { PrintBatch } from '../../lib/codec/codec.js';
import { PRINT_FIELDS, slicePrintBatch } from '../../lib/codec/print-batch.js';
import { PrintBatchBuilder } from '../../lib/codec/print-batch-builder.js';

type Push = Parameters<PrintBatchBuilder['push']>;

/** A session-like sequence: runs of one-byte keystrokes in one millisecond, gaps, big outputs. */
function pushes(): Push[] {
  const out: Push[] = [];
  let index = 3;
  let chunkIndex = 0;
  let offset = 0;
  let delay = 0;
  let seconds = 1_700_000_000;
  let nanos = 0;
  for (let write = 0; write < 400; write++) {
    if (write % 7 === 0) {
      nanos += 1_000_000;
      delay += 1;
    }
    if (write % 50 === 49) {
      seconds += 2;
      delay += 2000;
    }
    if (write % 31 === 30) index += 3; // events recorded between prints take indices
    if (write % 97 === 96) {
      chunkIndex += 2; // prints lost in backoff are numbered all the same
      offset += 10;
    }
    const length = write % 43 === 42 ? 65_000 : write % 11 === 10 ? 300 : write % 13 === 12 ? 0 : 1;
    const data = Buffer.alloc(length, 97 + (write % 26));
    out.push([data, index++, chunkIndex++, delay, offset, seconds, nanos]);
    offset += length;
  }
  return out;
}

function both(list: Push[]): { compact: CompactPrintRun; expected: PrintBatch } {
  const compact = new CompactPrintRun({ type: 'print', clusterName: 'c' });
  const builder = new PrintBatchBuilder({ type: 'print', clusterName: 'c' });
  for (const args of list) {
    compact.push(...args);
    builder.push(...args);
  }
  compact.seal();
  return { compact, expected: builder.batch() };
}

function expectSame(actual: PrintBatch, expected: PrintBatch): void {
  expect(Array.from(actual.numbers)).toEqual(Array.from(expected.numbers));
  expect(Buffer.from(actual.data).equals(Buffer.from(expected.data))).toBe(true);
  expect(actual.strings).toEqual(expected.strings);
}

describe('CompactPrintRun', () => {
  it('gives back the numbers and data of a PrintBatchBuilder fed the same prints', () => {
    const { compact, expected } = both(pushes());
    expect(compact.count).toBe(400);
    expectSame(compact.batch(), expected);
    // Sending again (a resend after a failure) gives the same batch.
    expectSame(compact.batch(), expected);
  });

  it('expands 10,000 one-byte prints of one millisecond (one segment) to every print', () => {
    const compact = new CompactPrintRun({});
    for (let i = 0; i < 10_000; i++) compact.push(Uint8Array.of(65), 1 + i, i, 5, i, 1_700_000_000, 0);
    compact.seal();
    const { numbers } = compact.batch();
    expect(numbers.length).toBe(10_000 * PRINT_FIELDS);
    expect(Array.from(numbers.subarray(9_999 * PRINT_FIELDS))).toEqual([1, 10_000, 9_999, 1, 5, 9_999, 1_700_000_000, 0]);
    expect(compact.firstIndex).toBe(1);
    expect(compact.lastIndex).toBe(10_000);
  });

  it('after(i) keeps exactly the prints whose index is above i, at every cut', () => {
    const list = pushes();
    const { compact, expected } = both(list);
    const indices = list.map((p) => p[1]);
    for (const last of [-1, 2, 3, 4, ...indices.filter((_, k) => k % 9 === 0), indices[indices.length - 1] - 1, indices[indices.length - 1]]) {
      const first = indices.findIndex((index) => index > last);
      const rest = compact.after(last);
      if (first < 0) {
        expect(rest.count).toBe(0);
        continue;
      }
      expect(rest.count).toBe(list.length - first);
      expect(rest.firstIndex).toBe(indices[first]);
      expectSame(rest.batch(), slicePrintBatch(expected, first));
      // A cut of a cut, as two status updates in a row make.
      const later = rest.after(indices[Math.min(indices.length - 1, first + 5)] - 1);
      expectSame(later.batch(), slicePrintBatch(expected, Math.min(indices.length - 1, first + 5)));
    }
  });

  it('append() gives the run that pushing every print into one would, cut anywhere', () => {
    const list = pushes();
    const { expected } = both(list);
    for (const cuts of [[1], [7, 8, 100], [33, 199, 200, 399], Array.from({ length: 40 }, (_, k) => k * 10 + 3)]) {
      const merged = new CompactPrintRun({ type: 'print', clusterName: 'c' });
      let from = 0;
      for (const to of [...cuts, list.length]) {
        const part = new CompactPrintRun({ type: 'print', clusterName: 'c' });
        for (const args of list.slice(from, to)) part.push(...args);
        part.seal();
        merged.append(part);
        from = to;
      }
      expectSame(merged.batch(), expected);
      const last = list[250][1];
      expectSame(merged.after(last).batch(), slicePrintBatch(expected, 251));
    }
  });

  it('keeps prints typed at a human pace in a few bytes each, and gives every time and delay back', () => {
    // Keystrokes 1 to 400 ms apart across second boundaries, a clock step back (delay unchanged),
    // gaps of exactly 255 and 256 ms, and a time with nanos that no millisecond step reaches.
    const list: Push[] = [];
    let seconds = 1_700_000_000;
    let nanos = 999_000_000;
    let delay = 0;
    for (let i = 0; i < 12_000; i++) {
      const gap = i % 997 === 5 ? 255 : i % 991 === 7 ? 256 : i % 1009 === 9 ? -40 : (i * 37) % 120;
      if (gap >= 0) delay += gap;
      nanos += gap * 1_000_000 + (i % 1499 === 11 ? 1 : 0);
      while (nanos >= 1e9) { nanos -= 1e9; seconds++; }
      while (nanos < 0) { nanos += 1e9; seconds--; }
      list.push([Uint8Array.of(97 + (i % 26)), 10 + i, i, delay, i, seconds, nanos]);
    }
    const { compact, expected } = both(list);
    expectSame(compact.batch(), expected);
    // 1 data byte + 2 length bytes + 1 gap byte per print, and a few segments.
    expect(compact.retainedBytes).toBeLessThan(12_000 * 4 + 2_000);
    for (const last of [9, 10, 14, 15, 16, 1_000, 5_000, 12_008, 12_009]) {
      const first = Math.max(0, last - 9);
      expectSame(compact.after(last).batch(), slicePrintBatch(expected, first));
    }
    for (const cuts of [[6, 7, 8], [1_000, 1_001, 5_005, 11_999]]) {
      const merged = new CompactPrintRun({ type: 'print', clusterName: 'c' });
      let from = 0;
      for (const to of [...cuts, list.length]) {
        const part = new CompactPrintRun({ type: 'print', clusterName: 'c' });
        for (const args of list.slice(from, to)) part.push(...args);
        merged.append(part);
        from = to;
      }
      expectSame(merged.batch(), expected);
      expectSame(merged.after(5_006).batch(), slicePrintBatch(expected, 4_997));
    }
  });

  it('clear() empties a run for new prints, leaving batches handed out before as they were', () => {
    const list = pushes();
    const { compact, expected } = both(list.slice(0, 100));
    const before = compact.batch();
    compact.clear();
    expect(compact.count).toBe(0);
    const again = new PrintBatchBuilder({ type: 'print', clusterName: 'c' });
    for (const args of list.slice(100, 300)) {
      compact.push(...args);
      again.push(...args);
    }
    expectSame(compact.batch(), again.batch());
    expectSame(before, expected);
  });

  it('refuses a print longer than its 16-bit length', () => {
    expect(() => new CompactPrintRun({}).push(Buffer.alloc(70_000), 0, 0, 0, 0, 0, 0)).toThrow(/at most 65535 bytes/);
  });
});
