// Decodes one gzip section (the PartSize bytes of a part) like lib/codec/js/js-section-inflater.ts,
// status for status and offset for offset: gzip header (FEXTRA/FNAME/FCOMMENT/FHCRC), one raw
// inflate in node's 16 KiB output windows bounded by max_inflated (more is kInflateLimit), CRC32
// and ISIZE, bytes after the member tolerated, then the records split into [start, end) bounds.
#ifndef AUDITCAST_SECTION_INFLATER_H
#define AUDITCAST_SECTION_INFLATER_H

#include <cstddef>
#include <cstdint>
#include <vector>

#include "output_buffer.h"
#include "status.h"

namespace auditcast {

// Length of the gzip header at data[0], -1 when invalid, -2 when truncated.
long GzipHeaderLength(const uint8_t* data, size_t size);

// Splits framed records; bounds gets two entries per record. On failure returns the status, also
// kRecordsOverLimit when the records plus their bounds need more than max_bytes (before allocating).
StatusInfo SplitRecords(const uint8_t* data, size_t size, uint64_t max_bytes, std::vector<uint32_t>* bounds);

struct InflatedSection {
  OutputBuffer buffer;  // freed with the result unless moved out
  size_t size = 0;
  std::vector<uint32_t> bounds;
  size_t trailing_bytes = 0;
};

StatusInfo InflateSection(const uint8_t* section, size_t size, uint64_t max_inflated, InflatedSection* out);

}  // namespace auditcast

#endif
