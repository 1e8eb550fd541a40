// Pure-JS section decoder: gzip header, one raw inflate bounded by maxInflatedBytes, CRC32 and
// ISIZE check, then record splitting. Bytes after the gzip member are tolerated (old padding bug).
import zlib from 'node:zlib';
import type { InflateLimits, InflatedSection } from '../codec.js';
import {
  GZIP_TRAILER_SIZE, SectionStatus, checkInflateLimits, gzipHeaderLength, sectionError, splitRecords,
} from '../part-format.js';

interface InflateInfo {
  buffer: Buffer;
  engine: { bytesWritten: number };
}

export function inflateSection(section: Uint8Array, limits: InflateLimits): InflatedSection {
  checkInflateLimits(limits);
  const headerLength = gzipHeaderLength(section);
  if (headerLength === -1) throw sectionError(SectionStatus.BAD_GZIP_HEADER, 0);
  if (headerLength === -2) throw sectionError(SectionStatus.TRUNCATED_GZIP, section.length);
  let info: InflateInfo;
  try {
    info = zlib.inflateRawSync(section.subarray(headerLength), {
      info: true,
      maxOutputLength: Math.max(1, limits.maxInflatedBytes),
    }) as unknown as InflateInfo;
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (code === 'ERR_BUFFER_TOO_LARGE') throw sectionError(SectionStatus.INFLATE_LIMIT, headerLength, limits.maxInflatedBytes);
    if (code === 'Z_BUF_ERROR') throw sectionError(SectionStatus.TRUNCATED_GZIP, section.length);
    throw sectionError(SectionStatus.BAD_DEFLATE_DATA, headerLength);
  }
  const data = info.buffer;
  const trailerAt = headerLength + info.engine.bytesWritten;
  if (section.length - trailerAt < GZIP_TRAILER_SIZE) throw sectionError(SectionStatus.TRUNCATED_GZIP, section.length);
  const view = new DataView(section.buffer, section.byteOffset + trailerAt, GZIP_TRAILER_SIZE);
  if (view.getUint32(0, true) !== zlib.crc32(data) >>> 0) throw sectionError(SectionStatus.CRC_MISMATCH, trailerAt);
  if (view.getUint32(4, true) !== data.length % 4294967296) throw sectionError(SectionStatus.SIZE_MISMATCH, trailerAt + 4, data.length);
  return { data, bounds: splitRecords(data, limits.maxInflatedBytes), trailingBytes: section.length - trailerAt - GZIP_TRAILER_SIZE };
}
