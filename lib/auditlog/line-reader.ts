// Reads a log file line by line in fixed blocks, forwards or backwards, holding at most one block
// plus one line. Lines longer than the limit are skipped (and reported), never buffered whole.
import { corrupted } from '../errors.js';
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

/** The line being assembled from block pieces; a line past the limit is dropped as it grows. */
class PendingLine {
  private parts: Buffer[] = [];
  private length = 0;
  private tooLong = false;

  constructor(private readonly maxLine: number, private readonly counters: LineReaderCounters, private readonly backward: boolean) {}

  add(piece: Buffer): void {
    if (this.tooLong) return;
    if (this.length + piece.length > this.maxLine + 1) {
      this.tooLong = true;
      this.parts = [];
      this.length = 0;
    } else if (piece.length > 0) {
      this.parts.push(Buffer.from(piece));
      this.length += piece.length;
    }
  }

  /** Ends the line: yields it (empty lines are skipped) or counts it as too long. */
  *end(lineStart: number): Generator<string> {
    if (this.tooLong) this.counters.linesTooLong++;
    else if (this.length > 0) {
      const line = decodeLine(this.backward ? this.parts.reverse() : this.parts, this.maxLine);
      if (line === null) this.counters.linesTooLong++;
      else {
        this.counters.lineOffset = lineStart;
        yield line;
      }
    }
    this.parts = [];
    this.length = 0;
    this.tooLong = false;
  }
}

/** Lines from first to last; empty lines are skipped. */
export async function* readLinesForward(handle: SearchFileHandle, maxLine: number, counters: LineReaderCounters, blockBytes = READ_BLOCK_BYTES): AsyncGenerator<string> {
  const block = Buffer.allocUnsafe(blockBytes);
  const line = new PendingLine(maxLine, counters, false);
  let position = 0;
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
      line.add(block.subarray(start, end));
      if (end === bytesRead) break;
      // a full line ends at `end`
      yield* line.end(lineStart);
      start = end + 1;
      lineStart = blockBase + start;
      if (start >= bytesRead) break;
    }
  }
  yield* line.end(lineStart);
}

/** Lines from last to first; empty lines are skipped. */
export async function* readLinesBackward(handle: SearchFileHandle, maxLine: number, counters: LineReaderCounters, blockBytes = READ_BLOCK_BYTES): AsyncGenerator<string> {
  const { size } = await handle.stat();
  const block = Buffer.allocUnsafe(blockBytes);
  const line = new PendingLine(maxLine, counters, true);
  let position = size;
  while (position > 0) {
    const length = Math.min(blockBytes, position);
    position -= length;
    const { bytesRead } = await handle.read(block, 0, length, position);
    counters.bytesRead += bytesRead;
    if (bytesRead < length) throw corrupted(`log file shrank while it was read (short read at byte ${position})`);
    let end = length;
    for (;;) {
      const nl = end === 0 ? -1 : block.lastIndexOf(NL, end - 1);
      line.add(block.subarray(nl + 1, end));
      if (nl === -1) break;
      yield* line.end(position + nl + 1);
      end = nl;
    }
  }
  yield* line.end(0);
}
