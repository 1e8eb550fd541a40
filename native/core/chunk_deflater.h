// Compresses one chunk of framed records the way node:zlib's deflateRawSync(chunk, {level: 1,
// finishFlush: Z_SYNC_FLUSH}) does: a fresh raw deflate stream (level 1, windowBits -15,
// memLevel 8, default strategy), fed the whole chunk with Z_SYNC_FLUSH, output taken in 16 KiB
// windows exactly as node does (a window that fills up makes node call deflate() again, and zlib
// then emits one more empty stored block: we must do the same to be byte-identical).
#ifndef AUDITCAST_CHUNK_DEFLATER_H
#define AUDITCAST_CHUNK_DEFLATER_H

#include <cstddef>
#include <cstdint>

#include "buffer_pool.h"

namespace auditcast {

struct DeflatedChunk {
  Bytes bytes;         // the deflate output (independent, byte-aligned)
  uint32_t crc = 0;    // CRC-32 of the raw input
  size_t raw_size = 0;
};

// Returns false when zlib fails (out of memory) or the chunk is too large for one zlib call.
bool DeflateChunk(const uint8_t* input, size_t size, DeflatedChunk* out);

uint32_t Crc32(uint32_t crc, const uint8_t* data, size_t size);
uint32_t Crc32Combine(uint32_t crc1, uint32_t crc2, size_t size2);

}  // namespace auditcast

#endif
