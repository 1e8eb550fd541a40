// Encodes SessionPrint events as framed OneOf records (uint32 BE length + OneOf field 7) without
// any JS object: byte-identical to lib/events/oneof.ts writeEvent() on a plain print event.
//
// Input per event: kPrintFields doubles (see PrintField), the Data bytes taken back to back from
// one buffer, and the string fields shared by every event of the batch.
#ifndef AUDITCAST_PRINT_FRAMER_H
#define AUDITCAST_PRINT_FRAMER_H

#include <cstddef>
#include <cstdint>
#include <string>

namespace auditcast {

enum PrintField : int {
  kPrintDataLength = 0,
  kPrintIndex = 1,
  kPrintChunkIndex = 2,
  kPrintBytes = 3,
  kPrintDelay = 4,
  kPrintOffset = 5,
  kPrintSeconds = 6,
  kPrintNanos = 7,
  kPrintFields = 8,
};

struct PrintStrings {
  std::string type, id, code, cluster_name;
};

// Failure kinds (numbers shared with lib/codec/print-batch.ts).
enum PrintStatus : int {
  kPrintOk = 0,
  kPrintBadNumber = 1,     // field `field` of event `event` is not a safe integer (or nanos out of range)
  kPrintDataOverrun = 2,   // the data lengths add up to more than the data buffer
  kPrintRecordTooLarge = 3,  // the OneOf record of event `event` is `value` bytes (> 65536)
  kPrintDataLeft = 4,      // the data lengths add up to less than the data buffer
};

struct PrintResult {
  int status = kPrintOk;
  size_t event = 0;
  int field = 0;
  double value = 0;
  size_t framed_size = 0;  // bytes FramePrints writes
};

// Pass 1: checks every number and computes the framed size.
PrintResult MeasurePrints(const double* numbers, size_t count, size_t data_size, const PrintStrings& strings);
// Pass 2: writes exactly result.framed_size bytes into out (only after MeasurePrints succeeded).
// When ends is not null, ends[i] is set to the offset in out where record i ends.
void FramePrints(const uint8_t* data, const double* numbers, size_t count, const PrintStrings& strings, uint8_t* out,
                 uint32_t* ends = nullptr);

}  // namespace auditcast

#endif
