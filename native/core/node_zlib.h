// The zlib inside the node binary: the very functions node:zlib calls, so the same calls give the
// same bytes. On this machine's Node (v20.20.2) gdb shows node::ZlibContext::DoThreadPoolWork
// calling the unprefixed exports `deflate`, `inflate` and `crc32`; the binary also exports a
// second copy with a Cr_z_ prefix, which writes different deflate bytes (see native/README.md),
// so the prefixed names must NOT be used. The addon leaves these symbols undefined and the
// dynamic linker binds them to the node executable (it comes first in the lookup scope);
// lib/codec/native-codec.ts checks the output against node:zlib once at load time.
#ifndef AUDITCAST_NODE_ZLIB_H
#define AUDITCAST_NODE_ZLIB_H

// node's headers ship Chromium's zconf.h, which otherwise wants chromeconf.h (not shipped).
#ifndef CHROMIUM_ZLIB_NO_CHROMECONF
#define CHROMIUM_ZLIB_NO_CHROMECONF 1
#endif

#include <zlib.h>

namespace auditcast {
// crc32_combine: with _FILE_OFFSET_BITS=64 zlib.h declares only crc32_combine64 (node exports both).
inline uLong CombineCrc(uLong crc1, uLong crc2, long long len2) {
#if defined(Z_WANT64)
  return crc32_combine64(crc1, crc2, static_cast<z_off_t>(len2));
#else
  return crc32_combine(crc1, crc2, static_cast<z_off_t>(len2));
#endif
}
}  // namespace auditcast

#endif
