// auditcast/constants: every name, code and number of the seed under its Go name
// (SessionStartEvent = 'session.start', SessionStartCode = 'T2000I', MaxChunkBytes, ...), the event
// catalogue, and the file log's and uploader's numbers. Apart from the main entry so that the
// library's own surface stays small.
export * from './events/constants.generated.js';
export { eventCatalogue, severityOfCode } from './events/catalogue.js';
export type { EventCatalogue, EventCodeInfo, EventTypeInfo, Severity } from './events/catalogue.js';
export {
  EventsIterationLimit, EventsMaxIterationLimit, MaxScanTokenSize, LogRotationPeriodMs, PlaybackRecycleTtlMs,
  UploadDir, SessionRecordingEvents,
} from './auditlog/constants.js';
