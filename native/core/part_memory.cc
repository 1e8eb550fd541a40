#include "part_memory.h"

#include <utility>
#include <vector>

namespace auditcast {

namespace {
struct Kept {
  std::mutex mutex;
  std::vector<OutputBuffer> buffers;
  size_t bytes = 0;
};
// Leaked on purpose: a worker thread may give memory back while the process exits.
Kept& Pool() {
  static Kept* kept = new Kept();
  return *kept;
}
}  // namespace

OutputBuffer PartMemory::Take(size_t want) {
  Kept& pool = Pool();
  std::lock_guard<std::mutex> lock(pool.mutex);
  // The smallest kept buffer that holds `want`; else the largest (the caller grows it). None over
  // twice `want`.
  const size_t none = pool.buffers.size();
  size_t best = none;
  for (size_t i = 0; i < pool.buffers.size(); i++) {
    const size_t capacity = pool.buffers[i].capacity();
    if (capacity / 2 > want) continue;
    if (best == none) {
      best = i;
      continue;
    }
    const size_t chosen = pool.buffers[best].capacity();
    const bool better = capacity >= want ? (chosen < want || capacity < chosen) : (chosen < want && capacity > chosen);
    if (better) best = i;
  }
  if (best == none) return OutputBuffer();
  OutputBuffer out = std::move(pool.buffers[best]);
  pool.buffers.erase(pool.buffers.begin() + static_cast<long>(best));
  pool.bytes -= out.capacity();
  return out;
}

void PartMemory::Give(OutputBuffer&& memory) {
  if (memory.capacity() == 0 || memory.capacity() > kMaxKeptBytes) return;  // freed by the caller's destructor
  Kept& pool = Pool();
  std::lock_guard<std::mutex> lock(pool.mutex);
  if (pool.bytes + memory.capacity() > kMaxKeptBytes) return;
  pool.bytes += memory.capacity();
  pool.buffers.push_back(std::move(memory));
}

size_t PartMemory::Clear() {
  std::vector<OutputBuffer> freed;  // destroyed after the lock is released
  Kept& pool = Pool();
  std::lock_guard<std::mutex> lock(pool.mutex);
  freed.swap(pool.buffers);
  size_t bytes = pool.bytes;
  pool.bytes = 0;
  return bytes;
}

size_t PartMemory::KeptBytes() {
  Kept& pool = Pool();
  std::lock_guard<std::mutex> lock(pool.mutex);
  return pool.bytes;
}

}  // namespace auditcast
