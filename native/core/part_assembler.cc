#include "part_assembler.h"

#include <cstring>
#include <utility>

#include "status.h"

namespace auditcast {

namespace {
const uint8_t kGzipHeader[10] = {0x1f, 0x8b, 0x08, 0x00, 0, 0, 0, 0, 0x04, 0xff};
const uint8_t kDeflateEnd[2] = {0x03, 0x00};
// Spare room a kept chunk buffer may have beyond an eighth of its size.
constexpr size_t kMaxKeptSlack = 1024;

void PutU64BE(uint8_t* p, uint64_t v) {
  for (int i = 7; i >= 0; i--) {
    p[i] = static_cast<uint8_t>(v);
    v >>= 8;
  }
}

void PutU32LE(uint8_t* p, uint32_t v) {
  for (int i = 0; i < 4; i++) {
    p[i] = static_cast<uint8_t>(v);
    v >>= 8;
  }
}
}  // namespace

PartAssembler::~PartAssembler() {
  for (Slot& slot : slots_) BufferPool::Chunks().Give(std::move(slot.chunk.bytes));
}

size_t PartAssembler::Reserve() {
  slots_.emplace_back();
  pending_++;
  return slots_.size() - 1;
}

double PartAssembler::Fill(size_t slot, DeflatedChunk&& chunk) {
  Slot& s = slots_[slot];
  s.chunk = std::move(chunk);
  // The chunk waits here until the part is cut. Its buffer was grown in 16 KiB output windows (or
  // taken from the pool with a bulk chunk's capacity): a 64 KiB chunk of keystrokes deflates to
  // ~17 KiB in a 32 KiB buffer, and 500 sessions' parts kept twice their bytes. Keep it at its size.
  Bytes& bytes = s.chunk.bytes;
  if (bytes.capacity() - bytes.size() > kMaxKeptSlack + bytes.size() / 8) {
    Bytes exact(bytes.begin(), bytes.end());
    BufferPool::Chunks().Give(std::move(bytes));
    bytes = std::move(exact);
  }
  s.filled = true;
  pending_--;
  compressed_ += s.chunk.bytes.size();
  raw_ += s.chunk.raw_size;
  return compressed_bytes();
}

void PartAssembler::Abandon(size_t slot) {
  Slot& s = slots_[slot];
  s.filled = true;
  s.chunk = DeflatedChunk();
  pending_--;
  failed_ = true;
}

uint64_t PartAssembler::UnpaddedSize() const {
  return kPartHeaderSize + compressed_ + sizeof(kDeflateEnd) + kGzipTrailerSize;
}

void PartAssembler::Finish(uint8_t* out, uint64_t padding) {
  finished_ = true;
  uint64_t part_size = compressed_ + sizeof(kDeflateEnd) + kGzipTrailerSize;
  PutU64BE(out, 1);
  PutU64BE(out + 8, part_size);
  PutU64BE(out + 16, padding);
  uint8_t* p = out + kPartHeaderSize;
  std::memcpy(p, kGzipHeader, sizeof(kGzipHeader));
  p += sizeof(kGzipHeader);
  uint32_t crc = 0;
  for (Slot& slot : slots_) {
    DeflatedChunk& c = slot.chunk;
    if (!c.bytes.empty()) std::memcpy(p, c.bytes.data(), c.bytes.size());
    p += c.bytes.size();
    crc = Crc32Combine(crc, c.crc, c.raw_size);
    BufferPool::Chunks().Give(std::move(c.bytes));
  }
  slots_.clear();
  std::memcpy(p, kDeflateEnd, sizeof(kDeflateEnd));
  p += sizeof(kDeflateEnd);
  PutU32LE(p, crc);
  PutU32LE(p + 4, static_cast<uint32_t>(raw_));
  p += kGzipTrailerSize;
  if (padding) std::memset(p, 0, padding);
}

}  // namespace auditcast
