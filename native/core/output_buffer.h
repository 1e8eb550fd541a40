// Memory for one inflated part. Parts are tens of MiB and a reader goes through thousands of them:
// with malloc, glibc's sliding mmap threshold soon serves them from the heap, where freed parts
// stay resident (a 1 GiB read peaked at ~250 MiB RSS). On Linux, big buffers are mapped and
// unmapped directly (mremap to grow or shrink without copying), so a freed part leaves RSS at once.
#ifndef AUDITCAST_OUTPUT_BUFFER_H
#define AUDITCAST_OUTPUT_BUFFER_H

#include <cstddef>
#include <cstdint>

namespace auditcast {

struct OutputBuffer {
  uint8_t* data = nullptr;
  size_t capacity = 0;
  bool mapped = false;

  // Sets the capacity (allocating, growing or shrinking, keeping the first `keep` bytes).
  bool Resize(size_t new_capacity, size_t keep);
  void Release();
};

}  // namespace auditcast

#endif
