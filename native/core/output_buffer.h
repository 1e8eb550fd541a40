// Memory for one inflated part. Parts are tens of MiB and a reader goes through thousands of them:
// with malloc, glibc's sliding mmap threshold soon serves them from the heap, where freed parts
// stay resident (a 1 GiB read peaked at ~250 MiB RSS). On Linux, big buffers are mapped and
// unmapped directly (mremap to grow or shrink without copying), so a freed part leaves RSS at once.
//
// Move-only and freed by its destructor: whoever holds the OutputBuffer owns the memory, so no path
// frees it by hand and no two owners can free it twice.
#ifndef AUDITCAST_OUTPUT_BUFFER_H
#define AUDITCAST_OUTPUT_BUFFER_H

#include <cstddef>
#include <cstdint>

namespace auditcast {

class OutputBuffer {
 public:
  OutputBuffer() = default;
  ~OutputBuffer() { Free(); }
  OutputBuffer(const OutputBuffer&) = delete;
  OutputBuffer& operator=(const OutputBuffer&) = delete;
  OutputBuffer(OutputBuffer&& other) noexcept { TakeFrom(other); }
  OutputBuffer& operator=(OutputBuffer&& other) noexcept {
    if (this != &other) {
      Free();
      TakeFrom(other);
    }
    return *this;
  }

  uint8_t* data() const { return data_; }
  size_t capacity() const { return capacity_; }

  // Sets the capacity (allocating, growing or shrinking, keeping the first `keep` bytes). On
  // failure the buffer is unchanged and still owned.
  bool Resize(size_t new_capacity, size_t keep);
  // Frees the memory now; the buffer is empty afterwards (releaseInflated, before the destructor).
  void Free();

 private:
  void TakeFrom(OutputBuffer& other) {
    data_ = other.data_;
    capacity_ = other.capacity_;
    mapped_ = other.mapped_;
    other.data_ = nullptr;
    other.capacity_ = 0;
    other.mapped_ = false;
  }

  uint8_t* data_ = nullptr;
  size_t capacity_ = 0;
  bool mapped_ = false;
};

}  // namespace auditcast

#endif
