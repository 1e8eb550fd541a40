// DetectFormat: tells a ProtoStream recording from Teleport's legacy (pre-4.4) tar layout by its
// first bytes.
import { constants as fsConstants } from 'node:fs';
import { open } from 'node:fs/promises';
import { AuditcastError } from '../errors.js';
import { PROTO_STREAM_V1, PROTO_STREAM_V2 } from '../codec/part-format.js';
import { isMountedRecording, openRecording } from './recording-file.js';

export type RecordingFormat =
  | { format: 'proto'; version: 1 }
  | { format: 'proto'; version: 2; encrypted: boolean }
  | { format: 'legacy-tar' };

const TAR_BLOCK = 512;

/** Needs the first 512 bytes of the file (fewer when the file is shorter). */
export function detectFormat(head: Uint8Array): RecordingFormat {
  if (head.length >= 8) {
    const version = new DataView(head.buffer, head.byteOffset, 8).getBigUint64(0);
    if (version === BigInt(PROTO_STREAM_V1)) return { format: 'proto', version: 1 };
    if (version === BigInt(PROTO_STREAM_V2)) {
      const encrypted = head.length >= 25 ? (head[24] & 1) === 1 : true;
      return { format: 'proto', version: 2, encrypted };
    }
  }
  if (isTarHeader(head)) return { format: 'legacy-tar' };
  throw new AuditcastError('UNSUPPORTED', `unknown recording format: neither a ProtoStream part header nor a tar archive (first bytes ${Buffer.from(head.subarray(0, 8)).toString('hex')})`);
}

/** A tar header block: a valid checksum (header bytes with the checksum field read as spaces). */
function isTarHeader(block: Uint8Array): boolean {
  if (block.length < TAR_BLOCK) return false;
  let allZero = true;
  let sum = 0;
  for (let i = 0; i < TAR_BLOCK; i++) {
    const byte = i >= 148 && i < 156 ? 0x20 : block[i];
    if (block[i] !== 0) allZero = false;
    sum += byte;
  }
  if (allZero) return false;
  const field = Buffer.from(block.subarray(148, 156)).toString('latin1').replace(/[\0 ]+$/g, '').trim();
  if (!/^[0-7]+$/.test(field)) return false;
  return parseInt(field, 8) === sum;
}

/** The first bytes of a recording, as many as detectFormat needs (fewer when it is shorter). */
export async function readRecordingHead(path: string): Promise<Buffer> {
  // O_NOFOLLOW: callers resolve links they mean to follow (an operator's path) beforehand; one
  // planted since is refused (ELOOP), never followed.
  const handle = isMountedRecording(path) ? await openRecording(path) : await open(path, fsConstants.O_RDONLY | fsConstants.O_NOFOLLOW);
  try {
    const buf = Buffer.alloc(TAR_BLOCK);
    const { bytesRead } = await handle.read(buf, 0, TAR_BLOCK, 0);
    return buf.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}
