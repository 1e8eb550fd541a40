#include "chunk_deflater.h"

#include <climits>

#include "node_zlib.h"
#include "status.h"

namespace auditcast {

uint32_t Crc32(uint32_t crc, const uint8_t* data, size_t size) {
  while (size > 0) {
    uInt step = size > (1u << 30) ? (1u << 30) : static_cast<uInt>(size);
    crc = static_cast<uint32_t>(crc32(crc, data, step));
    data += step;
    size -= step;
  }
  return crc;
}

uint32_t Crc32Combine(uint32_t crc1, uint32_t crc2, size_t size2) {
  return static_cast<uint32_t>(CombineCrc(crc1, crc2, static_cast<long long>(size2)));
}

namespace {

// One deflate stream per thread (the main thread and each libuv worker), reset for every chunk:
// deflateInit2 allocates and clears ~270 KiB of window and hash tables, and doing that per 64 KiB
// chunk cost a page fault storm (a third of a bulk write's native time). deflateReset leaves the
// stream exactly as a fresh deflateInit2 with the same parameters does, so the bytes are the same.
class ThreadDeflater {
 public:
  ~ThreadDeflater() {
    if (ready_) deflateEnd(&stream_);
  }
  // The stream ready for a new chunk; null when zlib cannot allocate it.
  z_stream* Fresh() {
    if (ready_) return deflateReset(&stream_) == Z_OK ? &stream_ : Broken();
    stream_ = z_stream{};
    if (deflateInit2(&stream_, 1, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY) != Z_OK) return nullptr;
    ready_ = true;
    return &stream_;
  }

 private:
  z_stream* Broken() {
    deflateEnd(&stream_);
    ready_ = false;
    return nullptr;
  }
  z_stream stream_{};
  bool ready_ = false;
};

thread_local ThreadDeflater thread_deflater;

}  // namespace

bool DeflateChunk(const uint8_t* input, size_t size, DeflatedChunk* out) {
  if (out->bytes.capacity() == 0) out->bytes = BufferPool::Chunks().Take();
  out->bytes.clear();
  out->raw_size = size;
  out->crc = Crc32(0, input, size);
  if (size > UINT_MAX / 2) return false;
  z_stream* stream = thread_deflater.Fresh();
  if (stream == nullptr) return false;
  stream->next_in = const_cast<Bytef*>(input);
  stream->avail_in = static_cast<uInt>(size);
  size_t used = 0;
  bool ok = true;
  for (;;) {
    out->bytes.resize(used + kZlibWindow);
    stream->next_out = out->bytes.data() + used;
    stream->avail_out = static_cast<uInt>(kZlibWindow);
    int rc = deflate(stream, Z_SYNC_FLUSH);
    if (rc != Z_OK && rc != Z_BUF_ERROR) {
      ok = false;
      break;
    }
    used += kZlibWindow - stream->avail_out;
    if (stream->avail_out != 0) break;
  }
  // The stream may hold pointers into input and output until the next reset; it never reads them.
  stream->next_in = nullptr;
  stream->next_out = nullptr;
  out->bytes.resize(ok ? used : 0);
  return ok;
}

}  // namespace auditcast
