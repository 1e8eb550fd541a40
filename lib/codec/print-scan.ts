// The layout of SliceCodec.scanPrints' output (native/core/print_scanner.h uses the same order):
// SCAN_FIELDS numbers per SessionPrint record read from an inflated part.

/** Numbers per record in scanPrints' output. */
export const SCAN_FIELDS = 19;

/** Where each number of a record sits in scanPrints' output. */
export const enum ScanField {
  Index = 0,
  ChunkIndex = 1,
  Bytes = 2,
  DelayMilliseconds = 3,
  Offset = 4,
  /** With TimeNanos: valid when HasTime is 1 (else the event has no Time field). */
  TimeSeconds = 5,
  TimeNanos = 6,
  HasTime = 7,
  /** [start, end) of Data in the part; -1 and -1 when the record has no Data field. */
  DataStart = 8,
  DataEnd = 9,
  /** [start, end) of Metadata.Type, ID, Code and ClusterName in the part (2 numbers each). */
  TypeStart = 10,
  IdStart = 12,
  CodeStart = 14,
  ClusterStart = 16,
  /** Bit i set: string i (Type, ID, Code, ClusterName) has the bytes of the record before. */
  SameStrings = 18,
}
