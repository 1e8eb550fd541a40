// Section decoding statuses. The numbers are those of SectionStatus in lib/codec/part-format.ts:
// the binding hands (status, offset, value) to JS, which makes the error there.
#ifndef AUDITCAST_STATUS_H
#define AUDITCAST_STATUS_H

namespace auditcast {

enum SectionStatus : int {
  kOk = 0,
  kBadGzipHeader = 1,
  kBadDeflateData = 2,
  kTruncatedGzip = 3,
  kCrcMismatch = 4,
  kSizeMismatch = 5,
  kInflateLimit = 6,
  kRecordLengthZero = 7,
  kRecordTooLarge = 8,
  kRecordTruncated = 9,
  kRecordsOverLimit = 10,
  // Not a section status: allocation failed (reported as an out-of-memory error by the binding).
  kOutOfMemory = 100,
};

struct StatusInfo {
  int status = kOk;
  double offset = 0;
  double value = 0;
};

constexpr size_t kRecordHeaderSize = 4;
constexpr size_t kMaxRecordBytes = 64 * 1024;
// Memory of one record's bounds (two uint32), counted in the part's memory limit.
constexpr size_t kBoundBytesPerRecord = 8;
constexpr size_t kPartHeaderSize = 24;
constexpr size_t kGzipTrailerSize = 8;
// node:zlib's default chunkSize: the output window of each deflate()/inflate() call.
constexpr size_t kZlibWindow = 16 * 1024;

}  // namespace auditcast

#endif
