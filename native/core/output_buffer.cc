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
  if (new_capacity >= kMapAtLeast || mapped_) {
    if (mapped_) {
      void* moved = mremap(data_, capacity_, new_capacity, MREMAP_MAYMOVE);
      if (moved == MAP_FAILED) return false;
      data_ = static_cast<uint8_t*>(moved);
      capacity_ = new_capacity;
      return true;
    }
    // Populated at once: one page fault per 4 KiB page costs more than the inflation on a VM
    // (a third of the native read time before), and the size guess (ISIZE) is nearly always exact.
    void* fresh = mmap(nullptr, new_capacity, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
    if (fresh == MAP_FAILED) return false;
    if (keep) std::memcpy(fresh, data_, keep);
    std::free(data_);
    data_ = static_cast<uint8_t*>(fresh);
    capacity_ = new_capacity;
    mapped_ = true;
    return true;
  }
#endif
  void* next = std::realloc(data_, new_capacity);
  if (!next) return false;
  data_ = static_cast<uint8_t*>(next);
  capacity_ = new_capacity;
  return true;
}

void OutputBuffer::Free() {
#ifdef __linux__
  if (mapped_) munmap(data_, capacity_);
  else std::free(data_);
#else
  std::free(data_);
#endif
  data_ = nullptr;
  capacity_ = 0;
  mapped_ = false;
}

}  // namespace auditcast
