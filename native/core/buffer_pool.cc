#include "buffer_pool.h"

#include <utility>

namespace auditcast {

namespace {
// Buffers larger than this are not kept: a pooled buffer should hold one compressed chunk.
constexpr size_t kMaxPooledCapacity = 1024 * 1024;
}  // namespace

Bytes BufferPool::Take() {
  std::lock_guard<std::mutex> lock(mutex_);
  if (free_.empty()) return Bytes();
  Bytes out = std::move(free_.back());
  free_.pop_back();
  out.clear();
  return out;
}

void BufferPool::Give(Bytes&& buffer) {
  if (buffer.capacity() == 0 || buffer.capacity() > kMaxPooledCapacity) return;
  std::lock_guard<std::mutex> lock(mutex_);
  if (free_.size() < max_kept_) free_.push_back(std::move(buffer));
}

size_t BufferPool::kept() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return free_.size();
}

BufferPool& BufferPool::Chunks() {
  // Leaked on purpose: worker threads may still return buffers while the process exits.
  static BufferPool* pool = new BufferPool(256);
  return *pool;
}

}  // namespace auditcast
