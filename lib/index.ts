// auditcast: Teleport-compatible audit events and session recordings for Node.
export { AuditcastError, isAuditcastError, type ErrorCode } from './errors.js';
export { backend, nativeUnavailableReason } from './codec/index.js';
export { metricsRegistry, auditFailedEmitEvents, auditStoredTrimmedEvents, auditQueriedTrimmedEvents } from './metrics.js';

// events: catalogue, typed events, OneOf and JSON forms, trimming, preparing
export * from './events/index.js';
export { Preparer, NoOpPreparer, type PreparerOptions, type SessionEventPreparer } from './events/preparer.js';
export { checkAndSetEventFields, type EventDefaults } from './events/event-defaults.js';

// recordings
export {
  ProtoStreamer, ProtoStream, ProtoReader, detectFormat, INACTIVITY_FLUSH_MS,
  type ProtoStreamerOptions, type StreamOptions, type ProtoStreamStats, type ProtoReaderOptions,
  type ProtoReaderStats, type RecordingFormat, type RecordingSource, type StreamStatus, type EventTrimmer,
  type MultipartUploader, type StreamUpload, type StreamPart, type UploadMetadata, type CallOptions, type UploadBody,
  type AuditStream, type Streamer, type StatusSource, type StreamerCallOptions,
} from './stream/index.js';

// emitters and session writing
export * from './emitters/index.js';

// storage
export {
  MemoryUploader, FileUploader, S3Uploader, UploadCompleter, AsyncUploader, SessionError, isSessionError,
  newFileStreamer, recoverSessionEnd,
  type MemoryUploaderOptions, type UploadEvent, type FileUploaderOptions, type S3UploaderOptions,
  type UploadCompleterOptions, type CompleterAuditLog, type SessionTrackerService, type CheckUploadsResult,
  type AsyncUploaderOptions, type ScanStats, type FileStreamerOptions,
} from './uploads/index.js';

// audit log, search, export, legacy recordings
export * from './auditlog/index.js';

// screen model, seek index and full-text search of recordings
export * from './screen/index.js';
export * from './index-store/index.js';
export { readRecordingFrom, type PositionedEvent, type ReadFromOptions } from './stream/positioned-reader.js';
