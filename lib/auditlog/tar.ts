// A small ustar writer and reader for Teleport's legacy (pre-4.4) session tarballs: regular
// files only, names up to 255 bytes (prefix + name), pax `path` and GNU long names on read.
import type { RecordingHandle } from '../stream/recording-file.js';
import { corrupted } from '../errors.js';

const BLOCK = 512;

export interface TarEntry {
  name: string;
  data: Buffer;
}

function writeOctal(block: Buffer, offset: number, width: number, value: number): void {
  block.write(`${value.toString(8).padStart(width - 1, '0')}\0`, offset, width, 'latin1');
}

function header(name: string, size: number, mtimeSeconds: number): Buffer {
  const block = Buffer.alloc(BLOCK);
  let prefix = '';
  let base = name;
  if (Buffer.byteLength(name) > 100) {
    const cut = name.lastIndexOf('/', 155);
    if (cut <= 0 || Buffer.byteLength(name.slice(cut + 1)) > 100) throw corrupted(`tar entry name too long: ${name}`);
    prefix = name.slice(0, cut);
    base = name.slice(cut + 1);
  }
  block.write(base, 0, 100, 'utf8');
  writeOctal(block, 100, 8, 0o640);
  writeOctal(block, 108, 8, 0);
  writeOctal(block, 116, 8, 0);
  writeOctal(block, 124, 12, size);
  writeOctal(block, 136, 12, mtimeSeconds);
  block.fill(0x20, 148, 156);
  block[156] = 0x30; // '0': regular file
  block.write('ustar\0', 257, 6, 'latin1');
  block.write('00', 263, 2, 'latin1');
  block.write(prefix, 345, 155, 'utf8');
  let sum = 0;
  for (const byte of block) sum += byte;
  block.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 8, 'latin1');
  return block;
}

/** A tar archive of the entries (mtime 0 unless given), ended by two zero blocks. */
export function writeTar(entries: readonly TarEntry[], mtimeSeconds = 0): Buffer {
  const parts: Buffer[] = [];
  for (const entry of entries) {
    parts.push(header(entry.name, entry.data.length, mtimeSeconds), entry.data);
    const pad = (BLOCK - (entry.data.length % BLOCK)) % BLOCK;
    if (pad) parts.push(Buffer.alloc(pad));
  }
  parts.push(Buffer.alloc(2 * BLOCK));
  return Buffer.concat(parts);
}

function readString(block: Uint8Array, offset: number, width: number): string {
  const field = block.subarray(offset, offset + width);
  const end = field.indexOf(0);
  return Buffer.from(field.subarray(0, end === -1 ? width : end)).toString('utf8');
}

function readNumber(block: Uint8Array, offset: number, width: number, at: number): number {
  const field = block.subarray(offset, offset + width);
  if (field[0] & 0x80) { // base-256 (GNU) for large sizes
    let n = field[0] & 0x7f;
    for (let i = 1; i < width; i++) n = n * 256 + field[i];
    return n;
  }
  const text = Buffer.from(field).toString('latin1').replace(/[\0 ]+$/g, '').trim();
  if (text === '') return 0;
  if (!/^[0-7]+$/.test(text)) throw corrupted(`tar header at byte ${at}: bad number ${JSON.stringify(text)}`);
  return parseInt(text, 8);
}

function checksumOk(block: Uint8Array): boolean {
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 0x20 : block[i];
  const text = Buffer.from(block.subarray(148, 156)).toString('latin1').replace(/[\0 ]+$/g, '').trim();
  return /^[0-7]+$/.test(text) && parseInt(text, 8) === sum;
}

interface TarHeader {
  name: string;
  size: number;
  /** '0' regular file, '7' contiguous file, 'x' pax header, 'L' GNU long name... */
  type: string;
}

/** The header block at byte `at`; null for the zero block that ends an archive. */
function readHeader(block: Uint8Array, at: number): TarHeader | null {
  if (block.every((b) => b === 0)) return null;
  if (!checksumOk(block)) throw corrupted(`tar header at byte ${at}: bad checksum`);
  const prefix = readString(block, 345, 155);
  return {
    name: prefix ? `${prefix}/${readString(block, 0, 100)}` : readString(block, 0, 100),
    size: readNumber(block, 124, 12, at),
    type: String.fromCharCode(block[156] || 0x30),
  };
}

/** The entry name that a pax ('x') or GNU long-name ('L') header gives the next entry. */
function longNameOf(type: string, data: Buffer): string | undefined {
  if (type === 'x') return /(?:^|\n)\d+ path=([^\n]*)\n/.exec(data.toString('utf8'))?.[1];
  if (type === 'L') return data.toString('utf8').replace(/\0+$/, '');
  return undefined;
}

const isFileEntry = (type: string) => type === '0' || type === '7';

/** The regular files of a tar archive, in archive order. CORRUPTED on a broken header or short data. */
export function readTar(archive: Uint8Array): TarEntry[] {
  const entries: TarEntry[] = [];
  let pos = 0;
  let longName: string | undefined;
  while (pos + BLOCK <= archive.length) {
    const head = readHeader(archive.subarray(pos, pos + BLOCK), pos);
    if (!head) break;
    const dataStart = pos + BLOCK;
    if (dataStart + head.size > archive.length) throw corrupted(`tar entry at byte ${pos}: ${head.size} bytes of data, archive ends first`);
    const data = Buffer.from(archive.subarray(dataStart, dataStart + head.size));
    pos = dataStart + Math.ceil(head.size / BLOCK) * BLOCK;
    if (head.type === 'x' || head.type === 'L') {
      longName = longNameOf(head.type, data) ?? longName;
      continue;
    }
    if (isFileEntry(head.type)) entries.push({ name: longName ?? head.name, data });
    longName = undefined;
  }
  return entries;
}

/**
 * The names of the first `max` regular files of a tar archive on disk, reading only the headers
 * (a large archive is not read whole to say what it holds). CORRUPTED on a broken header.
 */
export async function readTarNames(handle: RecordingHandle, max = 100): Promise<string[]> {
  const names: string[] = [];
  const block = Buffer.alloc(BLOCK);
  let pos = 0;
  let longName: string | undefined;
  while (names.length < max) {
    const { bytesRead } = await handle.read(block, 0, BLOCK, pos);
    if (bytesRead < BLOCK) break;
    const head = readHeader(block, pos);
    if (!head) break;
    const dataStart = pos + BLOCK;
    pos = dataStart + Math.ceil(head.size / BLOCK) * BLOCK;
    if (head.type === 'x' || head.type === 'L') {
      const data = Buffer.alloc(Math.min(head.size, 64 * 1024));
      await handle.read(data, 0, data.length, dataStart);
      longName = longNameOf(head.type, data) ?? longName;
      continue;
    }
    if (isFileEntry(head.type)) names.push(longName ?? head.name);
    longName = undefined;
  }
  return names;
}
