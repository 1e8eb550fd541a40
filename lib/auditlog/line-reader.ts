// Reads a log file line by line in fixed blocks, forwards or backwards, holding at most one block
// plus one line. Lines longer than the limit are skipped (and reported), never buffered whole.
import type { SearchFileHandle } from './search-fs.js';

export const READ_BLOCK_BYTES = 64 * 1024;

export interface LineReaderCounters {
  bytesRead: number;
  linesTooLong: number;
  /** Byte offset in the file of the line last yielded. */
  lineOffset?: number;
}

const NL = 0x0a;

/** The line text, or null when it is longer than `maxLine` bytes (a trailing \r not counted). */
function decodeLine(parts: Buffer[], maxLine: number): string | null {
  const buf = parts.length === 1 ? parts[0] : Buffer.concat(parts);
  const end = buf.length > 0 && buf[buf.length - 1] === 0x0d ? buf.length - 1 : buf.length; // ScanLines drops \r
  if (end > maxLine) return null;
  return buf.toString('utf8', 0, end);
}

/** Lines from first to last; empty lines are skipped. */
export async function* readLinesForward(handle: SearchFileHandle, maxLine: number, counters: LineReaderCounters, blockBytes = READ_BLOCK_BYTES): AsyncGenerator<string> {
  const block = Buffer.allocUnsafe(blockBytes);
  let position = 0;
  let carry: Buffer[] = [];
  let carryLen = 0;
  let tooLong = false;
  let lineStart = 0;
  for (;;) {
    const { bytesRead } = await handle.read(block, 0, blockBytes, position);
    if (bytesRead === 0) break;
    const blockBase = position;
    position += bytesRead;
    counters.bytesRead += bytesRead;
    let start = 0;
    for (;;) {
      const nl = block.indexOf(NL, start);
      const end = nl === -1 || nl >= bytesRead ? bytesRead : nl;
      const piece = block.subarray(start, end);
      if (!tooLong) {
        if (carryLen + piece.length > maxLine + 1) {
          tooLong = true;
          carry = [];
          carryLen = 0;
        } else if (piece.length > 0) {
          carry.push(Buffer.from(piece));
          carryLen += piece.length;
        }
      }
      if (end === bytesRead) break;
      // a full line ends at `end`
      if (tooLong) counters.linesTooLong++;
      else if (carryLen > 0) {
        const line = decodeLine(carry, maxLine);
        if (line === null) counters.linesTooLong++;
        else {
          counters.lineOffset = lineStart;
          yield line;
        }
      }
      carry = [];
      carryLen = 0;
      tooLong = false;
      start = end + 1;
      lineStart = blockBase + start;
      if (start >= bytesRead) break;
    }
  }
  if (tooLong) counters.linesTooLong++;
  else if (carryLen > 0) {
    const line = decodeLine(carry, maxLine);
    if (line === null) counters.linesTooLong++;
    else {
      counters.lineOffset = lineStart;
      yield line;
    }
  }
}

/** Lines from last to first; empty lines are skipped. */
export async function* readLinesBackward(handle: SearchFileHandle, maxLine: number, counters: LineReaderCounters, blockBytes = READ_BLOCK_BYTES): AsyncGenerator<string> {
  const { size } = await handle.stat();
  const block = Buffer.allocUnsafe(blockBytes);
  let position = size;
  // pieces of the line being assembled, last piece first
  let carry: Buffer[] = [];
  let carryLen = 0;
  let tooLong = false;
  const finish = function* (lineStart: number): Generator<string> {
    if (tooLong) counters.linesTooLong++;
    else if (carryLen > 0) {
      const line = decodeLine(carry.reverse(), maxLine);
      if (line === null) counters.linesTooLong++;
      else {
        counters.lineOffset = lineStart;
        yield line;
      }
    }
    carry = [];
    carryLen = 0;
    tooLong = false;
  };
  while (position > 0) {
    const length = Math.min(blockBytes, position);
    position -= length;
    const { bytesRead } = await handle.read(block, 0, length, position);
    counters.bytesRead += bytesRead;
    if (bytesRead < length) throw new Error(`short read at ${position}`);
    let end = length;
    for (;;) {
      const nl = end === 0 ? -1 : block.lastIndexOf(NL, end - 1);
      const piece = block.subarray(nl + 1, end);
      if (!tooLong) {
        if (carryLen + piece.length > maxLine + 1) {
          tooLong = true;
          carry = [];
          carryLen = 0;
        } else if (piece.length > 0) {
          carry.push(Buffer.from(piece));
          carryLen += piece.length;
        }
      }
      if (nl === -1) break;
      yield* finish(position + nl + 1);
      end = nl;
    }
  }
  yield* finish(0);
}
