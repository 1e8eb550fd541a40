export { ProtoStreamer, type ProtoStreamerOptions, type StreamOptions } from './proto-streamer.js';
export { ProtoStream, type ProtoStreamStats } from './proto-stream.js';
export {
  ProtoReader, protoReaderStatsToFields, type ProtoReaderOptions, type ProtoReaderStats, type SessionReader,
} from './proto-reader.js';
export { detectFormat, readRecordingHead, type RecordingFormat } from './detect-format.js';
export type { StreamStatus } from './status-channel.js';
export type { RecordingSource } from './byte-source.js';
export type { EventTrimmer } from './slice.js';
export * from './multipart-uploader.js';
export type { AuditStream, Streamer, StatusSource } from './streamer.js';
