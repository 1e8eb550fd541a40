#include "print_framer.h"

#include <cmath>
#include <cstring>

#include "status.h"

namespace auditcast {

namespace {
constexpr double kMaxSafe = 9007199254740991.0;

inline size_t VarintSize(uint64_t v) {
  size_t n = 1;
  while (v >= 0x80) {
    v >>= 7;
    n++;
  }
  return n;
}

// int64 as protobuf writes it: negative numbers are 10-byte two's complement varints.
inline uint64_t AsWire(double v) { return static_cast<uint64_t>(static_cast<int64_t>(v)); }

inline size_t IntFieldSize(double v) { return v == 0 ? 0 : 1 + VarintSize(AsWire(v)); }
inline size_t StringFieldSize(const std::string& s) { return s.empty() ? 0 : 1 + VarintSize(s.size()) + s.size(); }

inline uint8_t* PutVarint(uint8_t* p, uint64_t v) {
  while (v >= 0x80) {
    *p++ = static_cast<uint8_t>(v) | 0x80;
    v >>= 7;
  }
  *p++ = static_cast<uint8_t>(v);
  return p;
}

inline uint8_t* PutIntField(uint8_t* p, uint8_t tag, double v) {
  if (v == 0) return p;
  *p++ = tag;
  return PutVarint(p, AsWire(v));
}

inline uint8_t* PutStringField(uint8_t* p, uint8_t tag, const std::string& s) {
  if (s.empty()) return p;
  *p++ = tag;
  p = PutVarint(p, s.size());
  std::memcpy(p, s.data(), s.size());
  return p + s.size();
}

struct Sizes {
  size_t time, metadata, body, oneof;
};

inline Sizes SizesOf(const double* n, const PrintStrings& s) {
  Sizes z;
  z.time = IntFieldSize(n[kPrintSeconds]) + IntFieldSize(n[kPrintNanos]);
  z.metadata = IntFieldSize(n[kPrintIndex]) + StringFieldSize(s.type) + StringFieldSize(s.id) + StringFieldSize(s.code) +
               1 + VarintSize(z.time) + z.time + StringFieldSize(s.cluster_name);
  size_t data = static_cast<size_t>(n[kPrintDataLength]);
  z.body = 1 + VarintSize(z.metadata) + z.metadata + IntFieldSize(n[kPrintChunkIndex]) +
           (data ? 1 + VarintSize(data) + data : 0) + IntFieldSize(n[kPrintBytes]) + IntFieldSize(n[kPrintDelay]) +
           IntFieldSize(n[kPrintOffset]);
  z.oneof = 1 + VarintSize(z.body) + z.body;
  return z;
}
}  // namespace

PrintResult MeasurePrints(const double* numbers, size_t count, size_t data_size, const PrintStrings& strings) {
  PrintResult r;
  size_t data_used = 0;
  size_t total = 0;
  for (size_t i = 0; i < count; i++) {
    const double* n = numbers + i * kPrintFields;
    for (int f = 0; f < kPrintFields; f++) {
      double v = n[f];
      bool ok = std::isfinite(v) && std::trunc(v) == v && std::fabs(v) <= kMaxSafe;
      if (ok && f == kPrintDataLength) ok = v >= 0;
      if (ok && f == kPrintNanos) ok = v >= 0 && v < 1e9;
      if (!ok) {
        r.status = kPrintBadNumber;
        r.event = i;
        r.field = f;
        r.value = v;
        return r;
      }
    }
    size_t length = static_cast<size_t>(n[kPrintDataLength]);
    if (length > data_size - data_used) {
      r.status = kPrintDataOverrun;
      r.event = i;
      return r;
    }
    data_used += length;
    Sizes z = SizesOf(n, strings);
    if (z.oneof > kMaxRecordBytes) {
      r.status = kPrintRecordTooLarge;
      r.event = i;
      r.value = static_cast<double>(z.oneof);
      return r;
    }
    total += kRecordHeaderSize + z.oneof;
  }
  if (data_used != data_size) {
    r.status = kPrintDataLeft;
    r.event = count;
    r.value = static_cast<double>(data_size - data_used);
    return r;
  }
  r.framed_size = total;
  return r;
}

void FramePrints(const uint8_t* data, const double* numbers, size_t count, const PrintStrings& s, uint8_t* out,
                 uint32_t* ends) {
  uint8_t* p = out;
  for (size_t i = 0; i < count; i++) {
    const double* n = numbers + i * kPrintFields;
    Sizes z = SizesOf(n, s);
    uint32_t record = static_cast<uint32_t>(z.oneof);
    p[0] = static_cast<uint8_t>(record >> 24);
    p[1] = static_cast<uint8_t>(record >> 16);
    p[2] = static_cast<uint8_t>(record >> 8);
    p[3] = static_cast<uint8_t>(record);
    p += 4;
    *p++ = 0x3a;  // OneOf field 7 (SessionPrint), length-delimited
    p = PutVarint(p, z.body);
    *p++ = 0x0a;  // Metadata
    p = PutVarint(p, z.metadata);
    p = PutIntField(p, 0x08, n[kPrintIndex]);
    p = PutStringField(p, 0x12, s.type);
    p = PutStringField(p, 0x1a, s.id);
    p = PutStringField(p, 0x22, s.code);
    *p++ = 0x2a;  // Time
    p = PutVarint(p, z.time);
    p = PutIntField(p, 0x08, n[kPrintSeconds]);
    p = PutIntField(p, 0x10, n[kPrintNanos]);
    p = PutStringField(p, 0x32, s.cluster_name);
    p = PutIntField(p, 0x10, n[kPrintChunkIndex]);
    size_t length = static_cast<size_t>(n[kPrintDataLength]);
    if (length) {
      *p++ = 0x1a;
      p = PutVarint(p, length);
      std::memcpy(p, data, length);
      p += length;
      data += length;
    }
    p = PutIntField(p, 0x20, n[kPrintBytes]);
    p = PutIntField(p, 0x28, n[kPrintDelay]);
    p = PutIntField(p, 0x30, n[kPrintOffset]);
    if (ends) ends[i] = static_cast<uint32_t>(p - out);
  }
}

}  // namespace auditcast
