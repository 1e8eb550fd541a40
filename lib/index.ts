// auditcast: Teleport-compatible audit events and session recordings for Node. Every public name is
// listed here; the seed's constants are in 'auditcast/constants'.

// errors, options, backend, metrics
export { AuditcastError, isAuditcastError, type ErrorCode } from './errors.js';
export type { CallOptions } from './call-options.js';
export { backend, nativeUnavailableReason } from './codec/index.js';
export type { SliceCodec, PrintBatch, PrintStrings } from './codec/codec.js';
export { metricsRegistry, auditFailedEmitEvents, auditStoredTrimmedEvents, auditQueriedTrimmedEvents } from './metrics.js';

// events: typed events, OneOf and JSON forms, trimming, preparing
export {
  type AuditEvent, type AuditEventInput, type EventInputOf, type EventMetadata, type OpaqueEvent,
  isOpaqueEvent, messageOf,
} from './events/event.js';
export type * as EventTypes from './events/event-types.generated.js';
export { encodeEvent, decodeEvent } from './events/oneof.js';
export { Timestamp, type TimeInput } from './events/timestamp.js';
export { EventFields, fromEventFields, isEventFields, toEventFields } from './events/event-fields.js';
export { marshalEventJson } from './events/event-json.js';
export { eventSize } from './events/event-size.js';
export { trimStr, trimToMaxSize } from './events/trim.js';
export { getSessionId, getTeleportUser } from './events/event-getters.js';
export { byTimeAndIndex } from './events/by-time-and-index.js';
export { isValidNamespace, validateServerMetadata } from './events/validate-server-metadata.js';
export { isPermanentEmitError } from './events/permanent-error.js';
export {
  eventMetadata, type EventMetadataAccessors, type ServerMetadataGetter, type ServerMetadataSetter,
  type SessionMetadataGetter, type SessionMetadataSetter,
} from './events/metadata-accessors.js';
export { Preparer, NoOpPreparer, type PreparerOptions, type SessionEventPreparer } from './events/preparer.js';
export { checkAndSetEventFields, type EventDefaults } from './events/event-defaults.js';

// recordings
export {
  ProtoStreamer, ProtoStream, ProtoReader, protoReaderStatsToFields, detectFormat, type SessionReader,
  type ProtoStreamerOptions, type StreamOptions, type ProtoStreamStats, type ProtoReaderOptions,
  type ProtoReaderStats, type RecordingFormat, type RecordingSource, type StreamStatus, type EventTrimmer,
  type MultipartUploader, type MultipartHandler, type UploadHandler, type UploadMetadataGetter, type StreamUpload, type StreamPart, type UploadMetadata, type UploadBody,
  type AuditStream, type Streamer, type StatusSource,
} from './stream/index.js';
export type { ProtoStreamConfig } from './stream/proto-stream.js';
export { formatStreamUpload, checkStreamUpload } from './stream/stream-upload.js';
export { ReservePartError, isReservePartError } from './stream/reserve-part-error.js';

// emitters and session writing
export {
  type Emitter, AsyncEmitter, type AsyncEmitterOptions, CheckingEmitter, type CheckingEmitterOptions, MultiEmitter,
  DiscardEmitter, DiscardRecorder, DiscardStreamer, LoggingEmitter, CallbackEmitter, CallbackStreamer,
  CallbackStream, type CallbackStreamerOptions, ReportingStreamer, ReportingStream, type StreamUploadEvent, SessionWriter, type SessionWriterOptions,
  type SessionWriterStats, WriterEmitter, newSessionPreparerRecorder, withNoOpPreparer, setupAndRecordEvent,
  type SessionRecorder, type SessionPreparerRecorder,
} from './emitters/index.js';
export { StreamerAndEmitter, type StreamEmitter } from './emitters/stream-emitter.js';

// storage
export {
  MemoryUploader, FileUploader, S3Uploader, S3RecordingSource, type StoredObject, UploadCompleter, startNewUploadCompleter, AsyncUploader, SessionError, isSessionError,
  newFileStreamer, recoverSessionEnd,
  type MemoryUploaderOptions, type UploadEvent, type FileUploaderOptions, type S3UploaderOptions,
  type UploadCompleterOptions, type CompleterAuditLog, type SessionTrackerService, type CheckUploadsResult,
  type AsyncUploaderOptions, type ScanStats, type FileStreamerOptions,
} from './uploads/index.js';
export { fipsProtoStateToAwsState, s3OptionsFromUrl, type FIPSProtoState, type AWSFIPSState } from './uploads/s3-url.js';

// audit log, search, export, legacy recordings
export {
  FileLog, type FileLogOptions, type FileLogStats, type EventOrder, type EventSearcher, type SearchEventsRequest,
  type SearchSessionEventsRequest, type SearchResult, type SearchStats, SearchEventsLimiter,
  type SearchEventsLimiterOptions, AuditLog, type AuditLogOptions, SSHPlaybackWriter,
  writeForSSHPlayback, exportRecording, type ExportFormat, importLegacySession, readLegacyRecording,
  convertLegacyRecording, writeLegacyRecording, MultiLog, WriterLog, newWriterLog, type AuditLogger,
  PostgresLog, type PostgresLogStats, type PostgresLogOptions, type PostgresLogConfig, postgresLogConfig, isPostgresUrl,
  openAuditLog, openDataDirLog, serverLogDirs, type OpenAuditLogOptions, parseFileTime,
} from './auditlog/index.js';
export { DiscardAuditLog, newDiscardAuditLog } from './auditlog/discard-log.js';
export type { SessionStreamer, AuditLogSessionStreamer } from './auditlog/session-streamer.js';

// screen model, seek index and full-text search of recordings
export {
  ScreenModel, parseTerminalSize, DEFAULT_COLS, DEFAULT_ROWS, type ScreenLimits, type ScreenLine, type ScreenModelOptions,
  type ScreenSnapshot, type ScreenState, SessionClock, type ClockState,
} from './screen/index.js';
export {
  RecordingIndex, advanceScreen, replayScreenAt, type IndexResult, type RecordingIndexOptions, type SeekPoint, SeekFile,
  SEEK_FILE_VERSION, type KeyframeEntry, type RecordingStamp, type SeekHeader, buildSeekIndex, KEYFRAME_BYTES, KEYFRAME_MS,
  type BuildIndexOptions, TextIndex, parsePattern, type SearchHit, type SearchOptions, type IndexedSession,
  PgTextIndex, type PgTextIndexOptions, lineMatcher, unicode61Tokens, type LineMatcher, type TextStore,
} from './index-store/index.js';
export { readRecordingFrom, type PositionedEvent, type ReadFromOptions } from './stream/positioned-reader.js';
