// The zlib that ships inside the node binary (Chromium's zlib, exported with a Cr_z_ prefix).
// node:zlib calls exactly these functions, so calling them here gives byte-identical output.
// The node binary also exports unprefixed deflate/inflate/crc32 from other code; never use those.
#ifndef AUDITCAST_NODE_ZLIB_H
#define AUDITCAST_NODE_ZLIB_H

#ifndef CHROMIUM_ZLIB_NO_CHROMECONF
#define CHROMIUM_ZLIB_NO_CHROMECONF 1
#endif

#define zlibVersion Cr_z_zlibVersion
#define deflateInit2_ Cr_z_deflateInit2_
#define deflate Cr_z_deflate
#define deflateEnd Cr_z_deflateEnd
#define deflateReset Cr_z_deflateReset
#define deflateBound Cr_z_deflateBound
#define inflateInit2_ Cr_z_inflateInit2_
#define inflate Cr_z_inflate
#define inflateEnd Cr_z_inflateEnd
#define inflateReset Cr_z_inflateReset
#define crc32 Cr_z_crc32

#include <zlib.h>

#include <cstdint>

// crc32_combine is renamed by zconf.h when _FILE_OFFSET_BITS is 64; name the 64-bit one directly.
extern "C" uLong Cr_z_crc32_combine64(uLong crc1, uLong crc2, int64_t len2);

#endif
