#include "print_scanner.h"

#include <cstring>

namespace auditcast {

namespace {

constexpr uint64_t kMaxSafe = (uint64_t{1} << 53) - 1;

// A cursor over one message [pos, end): every read fails (returns false) rather than pass end.
struct Cursor {
  const uint8_t* data;
  size_t pos;
  size_t end;

  bool Varint(uint64_t* value) {
    uint64_t v = 0;
    for (int shift = 0; shift < 70; shift += 7) {
      if (pos >= end) return false;
      uint8_t byte = data[pos++];
      if (shift == 63 && byte > 1) return false;  // more than 64 bits
      v |= static_cast<uint64_t>(byte & 0x7f) << shift;
      if (byte < 0x80) {
        *value = v;
        return true;
      }
    }
    return false;
  }

  // An int64 field as the JS decoder reads it, only when the result is a safe integer.
  bool Int64(double* value) {
    uint64_t v;
    if (!Varint(&v)) return false;
    int64_t s = static_cast<int64_t>(v);
    if (s > static_cast<int64_t>(kMaxSafe) || s < -static_cast<int64_t>(kMaxSafe)) return false;
    *value = static_cast<double>(s);
    return true;
  }

  // A length-delimited field's body, inside this message.
  bool Len(size_t* start, size_t* stop) {
    uint64_t length;
    if (!Varint(&length) || length > end - pos) return false;
    *start = pos;
    *stop = pos + static_cast<size_t>(length);
    pos = *stop;
    return true;
  }
};

bool ScanTime(Cursor c, double* seconds, double* nanos) {
  *seconds = 0;
  *nanos = 0;
  while (c.pos < c.end) {
    uint8_t tag = c.data[c.pos++];
    if (tag == 0x08) {
      if (!c.Int64(seconds)) return false;
    } else if (tag == 0x10) {
      if (!c.Int64(nanos)) return false;
    } else {
      return false;
    }
  }
  return *nanos >= 0 && *nanos < 1e9;
}

bool ScanMetadata(Cursor c, double* out) {
  while (c.pos < c.end) {
    uint8_t tag = c.data[c.pos++];
    size_t start, stop;
    switch (tag) {
      case 0x08:
        if (!c.Int64(&out[kScanIndex])) return false;
        break;
      case 0x12: case 0x1a: case 0x22: case 0x32: {
        if (!c.Len(&start, &stop)) return false;
        int slot = tag == 0x12 ? kScanTypeStart : tag == 0x1a ? kScanIdStart : tag == 0x22 ? kScanCodeStart : kScanClusterStart;
        out[slot] = static_cast<double>(start);
        out[slot + 1] = static_cast<double>(stop);
        break;
      }
      case 0x2a:
        if (!c.Len(&start, &stop)) return false;
        if (!ScanTime(Cursor{c.data, start, stop}, &out[kScanSeconds], &out[kScanNanos])) return false;
        out[kScanHasTime] = 1;
        break;
      default:
        return false;
    }
  }
  return true;
}

bool ScanRecord(const uint8_t* data, size_t start, size_t end, double* out) {
  for (int i = 0; i < kScanFields; i++) out[i] = 0;
  out[kScanDataStart] = out[kScanDataEnd] = -1;  // no Data field (the event gets the shared empty bytes)
  Cursor record{data, start, end};
  if (record.pos >= end || data[record.pos++] != 0x3a) return false;  // OneOf field 7, length-delimited
  size_t body_start, body_end;
  if (!record.Len(&body_start, &body_end) || body_end != end) return false;
  Cursor c{data, body_start, body_end};
  while (c.pos < c.end) {
    uint8_t tag = c.data[c.pos++];
    size_t s, e;
    switch (tag) {
      case 0x0a:
        if (!c.Len(&s, &e) || !ScanMetadata(Cursor{data, s, e}, out)) return false;
        break;
      case 0x10:
        if (!c.Int64(&out[kScanChunkIndex])) return false;
        break;
      case 0x1a:
        if (!c.Len(&s, &e)) return false;
        out[kScanDataStart] = static_cast<double>(s);
        out[kScanDataEnd] = static_cast<double>(e);
        break;
      case 0x20:
        if (!c.Int64(&out[kScanBytes])) return false;
        break;
      case 0x28:
        if (!c.Int64(&out[kScanDelay])) return false;
        break;
      case 0x30:
        if (!c.Int64(&out[kScanOffset])) return false;
        break;
      default:
        return false;
    }
  }
  return true;
}

bool SameBytes(const uint8_t* data, const double* a, const double* b) {
  size_t a_start = static_cast<size_t>(a[0]), a_end = static_cast<size_t>(a[1]);
  size_t b_start = static_cast<size_t>(b[0]), b_end = static_cast<size_t>(b[1]);
  return a_end - a_start == b_end - b_start && std::memcmp(data + a_start, data + b_start, a_end - a_start) == 0;
}

}  // namespace

size_t ScanPrints(const uint8_t* data, size_t size, const uint32_t* bounds, size_t records, size_t first,
                  double* out, size_t max_records) {
  size_t done = 0;
  for (size_t i = first; i < records && done < max_records; i++, done++) {
    size_t start = bounds[i * 2];
    size_t end = bounds[i * 2 + 1];
    if (start > end || end > size) break;
    double* row = out + done * kScanFields;
    if (!ScanRecord(data, start, end, row)) break;
    if (done > 0) {
      const double* previous = row - kScanFields;
      int same = 0;
      for (int s = 0; s < 4; s++) {
        int at = kScanTypeStart + s * 2;
        if (SameBytes(data, row + at, previous + at)) same |= 1 << s;
      }
      row[kScanSameStrings] = same;
    }
  }
  return done;
}

}  // namespace auditcast
