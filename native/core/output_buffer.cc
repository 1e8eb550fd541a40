#include "output_buffer.h"

#include <cstdlib>
#include <cstring>

#ifdef __linux__
#include <sys/mman.h>
#endif

namespace auditcast {

namespace {
constexpr size_t kMapAtLeast = 1024 * 1024;
}

bool OutputBuffer::Resize(size_t new_capacity, size_t keep) {
  if (new_capacity == 0) new_capacity = 1;
  if (keep > new_capacity) keep = new_capacity;
#ifdef __linux__
  if (new_capacity >= kMapAtLeast || mapped) {
    if (mapped) {
      void* moved = mremap(data, capacity, new_capacity, MREMAP_MAYMOVE);
      if (moved == MAP_FAILED) return false;
      data = static_cast<uint8_t*>(moved);
      capacity = new_capacity;
      return true;
    }
    void* fresh = mmap(nullptr, new_capacity, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (fresh == MAP_FAILED) return false;
    if (keep) std::memcpy(fresh, data, keep);
    std::free(data);
    data = static_cast<uint8_t*>(fresh);
    capacity = new_capacity;
    mapped = true;
    return true;
  }
#endif
  void* next = std::realloc(data, new_capacity);
  if (!next) return false;
  data = static_cast<uint8_t*>(next);
  capacity = new_capacity;
  return true;
}

void OutputBuffer::Release() {
#ifdef __linux__
  if (mapped) {
    munmap(data, capacity);
    data = nullptr;
    capacity = 0;
    mapped = false;
    return;
  }
#endif
  std::free(data);
  data = nullptr;
  capacity = 0;
}

}  // namespace auditcast
