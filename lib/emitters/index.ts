export type { Emitter } from './emitter.js';
export { AsyncEmitter, type AsyncEmitterOptions } from './async-emitter.js';
export { CheckingEmitter, type CheckingEmitterOptions } from './checking-emitter.js';
export { MultiEmitter } from './multi-emitter.js';
export { DiscardEmitter, DiscardRecorder, DiscardStreamer } from './discard.js';
export { LoggingEmitter } from './logging-emitter.js';
export { CallbackEmitter } from './callback-emitter.js';
export { CallbackStreamer, CallbackStream, type CallbackStreamerOptions } from './callback-streamer.js';
export { ReportingStreamer, ReportingStream, type StreamUploadEvent } from './reporting-streamer.js';
export { SessionWriter, type SessionWriterOptions, type SessionWriterStats } from './session-writer.js';
export { WriterEmitter } from './writer-emitter.js';
export {
  newSessionPreparerRecorder, withNoOpPreparer, setupAndRecordEvent,
  type SessionRecorder, type SessionPreparerRecorder,
} from './session-preparer-recorder.js';
