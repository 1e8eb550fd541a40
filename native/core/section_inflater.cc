#include "section_inflater.h"

#include <climits>
#include <cstdlib>
#include <new>

#include "chunk_deflater.h"
#include "node_zlib.h"
#include "part_memory.h"

namespace auditcast {

namespace {
const uint8_t kMagic[3] = {0x1f, 0x8b, 0x08};

StatusInfo Fail(int status, double offset, double value = 0) {
  StatusInfo info;
  info.status = status;
  info.offset = offset;
  info.value = value;
  return info;
}

size_t ReadLength(const uint8_t* p) {
  return (static_cast<size_t>(p[0]) << 24) | (static_cast<size_t>(p[1]) << 16) | (static_cast<size_t>(p[2]) << 8) | p[3];
}

uint32_t GetU32LE(const uint8_t* p) {
  return static_cast<uint32_t>(p[0]) | (static_cast<uint32_t>(p[1]) << 8) |
         (static_cast<uint32_t>(p[2]) << 16) | (static_cast<uint32_t>(p[3]) << 24);
}
}  // namespace

long GzipHeaderLength(const uint8_t* data, size_t size) {
  if (size < 10) {
    for (size_t i = 0; i < 3 && i < size; i++) {
      if (data[i] != kMagic[i]) return -1;
    }
    return -2;
  }
  if (data[0] != 0x1f || data[1] != 0x8b || data[2] != 8) return -1;
  uint8_t flags = data[3];
  if (flags & 0xe0) return -1;
  size_t pos = 10;
  if (flags & 0x04) {
    if (pos + 2 > size) return -2;
    size_t xlen = data[pos] | (static_cast<size_t>(data[pos + 1]) << 8);
    pos += 2 + xlen;
    if (pos > size) return -2;
  }
  const uint8_t string_bits[2] = {0x08, 0x10};
  for (uint8_t bit : string_bits) {
    if (flags & bit) {
      while (pos < size && data[pos] != 0) pos++;
      if (pos >= size) return -2;
      pos++;
    }
  }
  if (flags & 0x02) {
    pos += 2;
    if (pos > size) return -2;
  }
  return static_cast<long>(pos);
}

StatusInfo SplitRecords(const uint8_t* data, size_t size, uint64_t max_bytes, std::vector<uint32_t>* bounds) {
  bounds->clear();
  // First pass: check every record and count them, so the bounds are checked against the limit
  // and allocated once, at their exact size.
  size_t count = 0;
  size_t pos = 0;
  while (pos < size) {
    if (size - pos < kRecordHeaderSize) return Fail(kRecordTruncated, static_cast<double>(pos));
    size_t length = ReadLength(data + pos);
    if (length == 0) return Fail(kRecordLengthZero, static_cast<double>(pos));
    if (length > kMaxRecordBytes) return Fail(kRecordTooLarge, static_cast<double>(pos), static_cast<double>(length));
    if (length > size - pos - kRecordHeaderSize) return Fail(kRecordTruncated, static_cast<double>(pos));
    count++;
    pos += kRecordHeaderSize + length;
  }
  uint64_t needed = static_cast<uint64_t>(size) + static_cast<uint64_t>(count) * kBoundBytesPerRecord;
  if (needed > max_bytes) return Fail(kRecordsOverLimit, static_cast<double>(needed), static_cast<double>(max_bytes));
  bounds->resize(count * 2);
  uint32_t* out = bounds->data();
  pos = 0;
  for (size_t i = 0; i < count * 2; i += 2) {
    size_t length = ReadLength(data + pos);
    out[i] = static_cast<uint32_t>(pos + kRecordHeaderSize);
    out[i + 1] = static_cast<uint32_t>(pos + kRecordHeaderSize + length);
    pos += kRecordHeaderSize + length;
  }
  return StatusInfo();
}

namespace {

StatusInfo InflateAndSplit(const uint8_t* section, size_t size, uint64_t max_inflated, InflatedSection* out) {
  const double end = static_cast<double>(size);
  long header = GzipHeaderLength(section, size);
  if (header == -1) return Fail(kBadGzipHeader, 0);
  if (header == -2) return Fail(kTruncatedGzip, end);
  // The error names the limit the caller gave; zlib is bounded by at least one byte (as node does).
  const double limit = static_cast<double>(max_inflated);
  const uint64_t limit_bytes = max_inflated;
  if (max_inflated < 1) max_inflated = 1;
  if (size - header > UINT_MAX) return Fail(kInflateLimit, static_cast<double>(header), limit);

  z_stream stream{};
  if (inflateInit2(&stream, -15) != Z_OK) return Fail(kOutOfMemory, 0);
  stream.next_in = const_cast<Bytef*>(section + header);
  stream.avail_in = static_cast<uInt>(size - header);

  // Never hold more than max_inflated plus one window, whatever the input claims. The gzip trailer's
  // ISIZE (the section's last 4 bytes, unless junk follows the member) is a good first guess.
  const uint64_t cap = max_inflated + kZlibWindow;
  uint64_t guess = size >= 18 ? GetU32LE(section + size - 4) + static_cast<uint64_t>(kZlibWindow) : kZlibWindow;
  if (guess > static_cast<uint64_t>(size) * 1032 + kZlibWindow) guess = static_cast<uint64_t>(size) * 4 + kZlibWindow;
  OutputBuffer& buffer = out->buffer;
  const size_t first = static_cast<size_t>(guess < cap ? guess : cap);
  buffer = PartMemory::Take(first);  // the pages of the last part released, when they fit
  if (buffer.capacity() < first && !buffer.Resize(first, 0)) {
    inflateEnd(&stream);
    return Fail(kOutOfMemory, 0);
  }
  uint64_t total = 0;
  StatusInfo result;
  for (;;) {
    if (total + kZlibWindow > buffer.capacity()) {
      uint64_t grown = static_cast<uint64_t>(buffer.capacity()) * 2;
      if (grown < total + kZlibWindow) grown = total + kZlibWindow;
      if (grown > cap) grown = cap;
      if (!buffer.Resize(static_cast<size_t>(grown), static_cast<size_t>(total))) {
        result = Fail(kOutOfMemory, 0);
        break;
      }
    }
    stream.next_out = buffer.data() + total;
    stream.avail_out = static_cast<uInt>(kZlibWindow);
    int rc = inflate(&stream, Z_FINISH);
    if (rc == Z_BUF_ERROR && stream.avail_out != 0) {
      result = Fail(kTruncatedGzip, end);
      break;
    }
    if (rc != Z_OK && rc != Z_STREAM_END && rc != Z_BUF_ERROR) {
      result = Fail(kBadDeflateData, static_cast<double>(header));
      break;
    }
    total += kZlibWindow - stream.avail_out;
    if (total > max_inflated) {
      result = Fail(kInflateLimit, static_cast<double>(header), limit);
      break;
    }
    if (stream.avail_out != 0) break;
  }
  size_t consumed = static_cast<size_t>(stream.total_in);
  inflateEnd(&stream);
  out->size = static_cast<size_t>(total);
  if (result.status != kOk) return result;

  size_t trailer_at = header + consumed;
  if (size - trailer_at < kGzipTrailerSize) return Fail(kTruncatedGzip, end);
  if (GetU32LE(section + trailer_at) != Crc32(0, buffer.data(), out->size)) {
    return Fail(kCrcMismatch, static_cast<double>(trailer_at));
  }
  if (GetU32LE(section + trailer_at + 4) != static_cast<uint32_t>(out->size)) {
    return Fail(kSizeMismatch, static_cast<double>(trailer_at + 4), static_cast<double>(out->size));
  }
  out->trailing_bytes = size - trailer_at - kGzipTrailerSize;
  return SplitRecords(buffer.data(), out->size, limit_bytes, &out->bounds);
}

}  // namespace

StatusInfo InflateSection(const uint8_t* section, size_t size, uint64_t max_inflated, InflatedSection* out) {
  // The record bounds are a std::vector: an allocation that fails throws, and must not escape into
  // a libuv worker (Execute) or N-API: it is an out-of-memory status like every other allocation.
  try {
    return InflateAndSplit(section, size, max_inflated, out);
  } catch (const std::bad_alloc&) {
    out->bounds = std::vector<uint32_t>();
    return Fail(kOutOfMemory, 0);
  }
}

}  // namespace auditcast
