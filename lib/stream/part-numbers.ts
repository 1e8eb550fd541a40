// Which part numbers an upload may skip. ProtoStream (as Teleport's) numbers parts 1, 3, 5...: a new
// slice reserves the next number, its upload uses that number and the counter moves one more, so
// one number is skipped between parts on purpose; a resumed stream goes on at the last part found
// + 2 (never overwriting a part an old process may still be flushing). Teleport before v12 numbered
// 1, 2, 3. Either way an upload starts at part 1 and consecutive parts are at most 2 apart: a wider
// gap is a part that never landed (with concurrent uploads a later part can land after an earlier
// one failed), and completing over it would stitch a recording with a silent hole.
import type { StreamPart } from './multipart-uploader.js';

/** The largest distance between consecutive part numbers that a stream leaves on purpose. */
export const PART_NUMBER_STEP = 2;

/** The part numbers missing from `parts` (empty when complete); at most `limit` of them. */
export function missingPartNumbers(parts: readonly Pick<StreamPart, 'number'>[], limit = 10): number[] {
  const numbers = [...new Set(parts.map((p) => p.number))].sort((a, b) => a - b);
  const missing: number[] = [];
  let previous = 1 - PART_NUMBER_STEP; // so that a first part above 1 is a gap
  for (const number of numbers) {
    if (number - previous > PART_NUMBER_STEP) {
      for (let n = previous + PART_NUMBER_STEP; n < number && missing.length < limit; n += PART_NUMBER_STEP) missing.push(Math.max(1, n));
    }
    previous = number;
  }
  return missing;
}
