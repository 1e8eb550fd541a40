// Assembles one part from deflated chunks kept in call order. A chunk slot is reserved when the
// caller hands in a chunk, filled when its compression is done (maybe on another thread), and the
// part is written once every slot is filled:
//   24-byte header | Go's gzip header | chunks | 03 00 | CRC32 LE | ISIZE LE | zero padding.
#ifndef AUDITCAST_PART_ASSEMBLER_H
#define AUDITCAST_PART_ASSEMBLER_H

#include <cstddef>
#include <cstdint>
#include <deque>

#include "chunk_deflater.h"

namespace auditcast {

class PartAssembler {
 public:
  PartAssembler() = default;
  ~PartAssembler();
  PartAssembler(const PartAssembler&) = delete;
  PartAssembler& operator=(const PartAssembler&) = delete;

  // Reserves the next slot; returns its id.
  size_t Reserve();
  // Fills a reserved slot. Returns compressedBytes() afterwards.
  double Fill(size_t slot, DeflatedChunk&& chunk);
  // Releases a reserved slot whose compression failed: the part can no longer be finished.
  void Abandon(size_t slot);

  size_t pending() const { return pending_; }
  bool failed() const { return failed_; }
  bool finished() const { return finished_; }
  // Gzip header plus the chunks filled so far.
  double compressed_bytes() const { return static_cast<double>(compressed_); }
  double raw_bytes() const { return static_cast<double>(raw_); }

  // Size of the part without padding (header + gzip member).
  uint64_t UnpaddedSize() const;
  // Writes the whole part (UnpaddedSize() + padding bytes) into out and releases the chunks.
  void Finish(uint8_t* out, uint64_t padding);

 private:
  struct Slot {
    DeflatedChunk chunk;
    bool filled = false;
  };
  std::deque<Slot> slots_;
  size_t pending_ = 0;
  uint64_t compressed_ = 10;
  uint64_t raw_ = 0;
  bool finished_ = false;
  bool failed_ = false;
};

}  // namespace auditcast

#endif
