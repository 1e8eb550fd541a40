// A small thread-safe pool of byte buffers, so compressing chunk after chunk (on the main thread or
// on libuv's workers) reuses memory instead of allocating ~80 KiB per chunk.
#ifndef AUDITCAST_BUFFER_POOL_H
#define AUDITCAST_BUFFER_POOL_H

#include <cstddef>
#include <cstdint>
#include <mutex>
#include <vector>

namespace auditcast {

using Bytes = std::vector<uint8_t>;

class BufferPool {
 public:
  explicit BufferPool(size_t max_kept) : max_kept_(max_kept) {}
  // An empty buffer, with the capacity of a previously returned one when the pool has one.
  Bytes Take();
  // Keeps the buffer's memory for the next Take() (dropped when the pool is full or it is huge).
  void Give(Bytes&& buffer);
  size_t kept() const;

  static BufferPool& Chunks();

 private:
  mutable std::mutex mutex_;
  std::vector<Bytes> free_;
  size_t max_kept_;
};

}  // namespace auditcast

#endif
