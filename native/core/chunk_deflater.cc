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

bool DeflateChunk(const uint8_t* input, size_t size, DeflatedChunk* out) {
  if (out->bytes.capacity() == 0) out->bytes = BufferPool::Chunks().Take();
  out->bytes.clear();
  out->raw_size = size;
  out->crc = Crc32(0, input, size);
  if (size > UINT_MAX / 2) return false;
  z_stream stream{};
  if (deflateInit2(&stream, 1, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY) != Z_OK) return false;
  stream.next_in = const_cast<Bytef*>(input);
  stream.avail_in = static_cast<uInt>(size);
  size_t used = 0;
  bool ok = true;
  for (;;) {
    out->bytes.resize(used + kZlibWindow);
    stream.next_out = out->bytes.data() + used;
    stream.avail_out = static_cast<uInt>(kZlibWindow);
    int rc = deflate(&stream, Z_SYNC_FLUSH);
    if (rc != Z_OK && rc != Z_BUF_ERROR) {
      ok = false;
      break;
    }
    used += kZlibWindow - stream.avail_out;
    if (stream.avail_out != 0) break;
  }
  deflateEnd(&stream);
  out->bytes.resize(ok ? used : 0);
  return ok;
}

}  // namespace auditcast
