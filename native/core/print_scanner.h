// The read side of the print fast path: reads consecutive SessionPrint records of an inflated part
// into numbers (no JS object per field), for lib/events/print-codec.ts printFromScan. It accepts
// only records whose decoding by the JS decoder (lib/events/oneof.ts decodeEvent, print-codec.ts
// decodePrintInto) is unambiguous: one OneOf field 7 filling the record, known one-byte tags,
// every nested field inside its message, integers within +-(2^53 - 1), nanos in [0, 1e9). It stops
// at the first other record, which the caller decodes in JS (with the JS errors), so both paths
// give the same events.
#ifndef AUDITCAST_PRINT_SCANNER_H
#define AUDITCAST_PRINT_SCANNER_H

#include <cstddef>
#include <cstdint>

namespace auditcast {

// Numbers per record in the output (same order as lib/codec/print-scan.ts ScanField).
enum ScanField {
  kScanIndex = 0,
  kScanChunkIndex,
  kScanBytes,
  kScanDelay,
  kScanOffset,
  kScanSeconds,  // with kScanNanos: valid when kScanHasTime is 1
  kScanNanos,
  kScanHasTime,
  kScanDataStart,  // [start, end) of Data in the part; -1, -1 when the record has no Data field
  kScanDataEnd,
  kScanTypeStart,  // [start, end) of Metadata.Type, ID, Code, ClusterName
  kScanTypeEnd,
  kScanIdStart,
  kScanIdEnd,
  kScanCodeStart,
  kScanCodeEnd,
  kScanClusterStart,
  kScanClusterEnd,
  kScanSameStrings,  // bit i set: string i has the bytes of the previous record's (same call)
  kScanFields
};

// Reads records first, first + 1, ... (bounds: two entries per record, [start, end) in data) into
// out (kScanFields numbers each, at most max_records), stopping at the first record that is not a
// plain print or whose bounds are not inside data. Returns how many records were read.
size_t ScanPrints(const uint8_t* data, size_t size, const uint32_t* bounds, size_t records, size_t first,
                  double* out, size_t max_records);

}  // namespace auditcast

#endif
