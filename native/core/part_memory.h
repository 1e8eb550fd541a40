// The memory of an inflated part, kept for the next part instead of unmapped when the reader is
// done with it (releaseInflated, or V8 collecting the part's Buffer). On the VMs this runs on, the
// first write to fresh pages is what costs: copying 27 MiB into a fresh mapping took 150-200 ms
// (even with MAP_POPULATE), into memory written before ~1 ms, so inflating into new memory per part
// took twice the CPU of node's gunzipSync, whose output glibc serves from recycled heap. Released
// parts are kept up to kMaxKeptBytes in all: a reader that releases each part before reading the
// next (copyData) then inflates every part into the same pages and RSS stays at about one part;
// parts that wait for the garbage collector (views) are reused when it gets to them.
#ifndef AUDITCAST_PART_MEMORY_H
#define AUDITCAST_PART_MEMORY_H

#include <cstddef>
#include <mutex>

#include "output_buffer.h"

namespace auditcast {

class PartMemory {
 public:
  // Memory kept in all (the default part memory budget of a reader is 64 MiB); more is freed.
  static constexpr size_t kMaxKeptBytes = 64 * 1024 * 1024;

  // The kept memory for a part of about `want` bytes, or an empty buffer when none is kept or the
  // kept one is over twice `want` (a small part would pin it, and shrinking it would lose its pages
  // for the large parts around). Thread-safe: inflation runs on libuv's workers too.
  static OutputBuffer Take(size_t want);
  // Keeps `memory` for a next Take() when it fits in kMaxKeptBytes with what is kept; else frees it.
  static void Give(OutputBuffer&& memory);
  // Frees the kept memory now; returns how many bytes that was.
  static size_t Clear();
  // Bytes kept now.
  static size_t KeptBytes();
};

}  // namespace auditcast

#endif
