export { MemoryUploader, type MemoryUploaderOptions, type UploadEvent } from './memory-uploader.js';
export {
  FileUploader, FILE_MIN_UPLOAD_BYTES, type FileUploaderOptions,
} from './file-uploader.js';
export { S3Uploader, CANNED_ACLS, type S3UploaderOptions, type StoredObject } from './s3-uploader.js';
export { S3RecordingSource } from './s3-recording-source.js';
export {
  UploadCompleter, startNewUploadCompleter, recoverSessionEnd, type UploadCompleterOptions, type CompleterAuditLog,
  type SessionTrackerService, type CheckUploadsResult,
} from './upload-completer.js';
export {
  AsyncUploader, SessionError, isSessionError,
  type AsyncUploaderOptions, type ScanStats,
} from './async-uploader.js';
export { formatCheckpoint, parseCheckpoint, CHECKPOINT_EXT } from './checkpoint.js';
export { newFileStreamer, type FileStreamerOptions } from './file-streamer.js';
export { checkSessionId, checkUploadId, isUuid } from './ids.js';
