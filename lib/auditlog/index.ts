// The audit log layer: FileLog, streaming search, AuditLog facade, playback files, legacy format.
// (MaxEventBytesInResponse, MaxChunkBytes, LogfileExt, SymlinkFilename, PlaybackDir... are
// exported by lib/events with the rest of the seed's constants.)
export {
  EventsIterationLimit, EventsMaxIterationLimit, MaxScanTokenSize, LogRotationPeriodMs, PlaybackRecycleTtlMs,
  UploadDir, SessionRecordingEvents,
} from './constants.js';
export { FileLog, type FileLogOptions, type FileLogStats } from './file-log.js';
export { parseFileTime, logFileName } from './file-time.js';
export { checkpointOf } from './search-checkpoint.js';
export { nodeSearchFs, type SearchFs, type SearchFileHandle, type SearchDirEntry } from './search-fs.js';
export type {
  EventOrder, EventSearcher, SearchEventsRequest, SearchSessionEventsRequest, SearchResult, SearchStats,
} from './search-types.js';
export { SearchEventsLimiter, type SearchEventsLimiterOptions } from './search-limiter.js';
export { AuditLog, type AuditLogOptions } from './audit-log.js';
export { SSHPlaybackWriter, writeForSSHPlayback } from './ssh-playback-writer.js';
export { exportRecording, type ExportFormat } from './export-recording.js';
export {
  importLegacySession, readLegacyRecording, convertLegacyRecording, writeLegacyRecording,
} from './legacy-recording.js';
export { readTar, writeTar, type TarEntry } from './tar.js';
export { MultiLog, WriterLog, newWriterLog, type AuditLogger } from './multi-log.js';
export { PostgresLog, type PostgresLogStats } from './postgres-log.js';
export { type PostgresLogOptions, type PostgresLogConfig, postgresLogConfig, isPostgresUrl } from './postgres-config.js';
export { openAuditLog, openDataDirLog, serverLogDirs, type OpenAuditLogOptions } from './open-audit-log.js';
