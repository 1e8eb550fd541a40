// auditcast: Teleport-compatible audit events and session recordings for Node.
export { AuditcastError, isAuditcastError, type ErrorCode } from './errors.js';
export { backend, nativeUnavailableReason } from './codec/index.js';

export { Timestamp, type TimeInput } from './events/timestamp.js';
export { encodeEvent, decodeEvent } from './events/oneof.js';
export { messageOf, type AuditEvent, type AuditEventInput, type EventMetadata, type OpaqueEvent } from './events/event.js';

export {
  ProtoStreamer, ProtoStream, ProtoReader, detectFormat, INACTIVITY_FLUSH_MS,
  type ProtoStreamerOptions, type StreamOptions, type ProtoStreamStats, type ProtoReaderOptions,
  type ProtoReaderStats, type RecordingFormat, type RecordingSource, type StreamStatus, type EventTrimmer,
  type MultipartUploader, type StreamUpload, type StreamPart, type UploadMetadata, type CallOptions, type UploadBody,
} from './stream/index.js';

export {
  MemoryUploader, FileUploader, S3Uploader, UploadCompleter, AsyncUploader, SessionError, isSessionError,
  newFileStreamer, recoverSessionEnd,
  type MemoryUploaderOptions, type UploadEvent, type FileUploaderOptions, type S3UploaderOptions,
  type UploadCompleterOptions, type CompleterAuditLog, type SessionTrackerService, type CheckUploadsResult,
  type AsyncUploaderOptions, type AuditStream, type AuditStreamer, type ScanStats, type FileStreamerOptions,
} from './uploads/index.js';
