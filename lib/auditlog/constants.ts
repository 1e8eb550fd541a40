// Names and numbers of Teleport's file audit log (lib/events/filelog.go, auditlog.go, defaults).

/** Default page size of a search (defaults.EventsIterationLimit). */
export const EventsIterationLimit = 500;
/** Largest page a search may ask for (defaults.EventsMaxIterationLimit). */
export const EventsMaxIterationLimit = 10_000;
/** A search page never holds this many bytes of event JSON or more (sizelimit.go). */
export const MaxEventBytesInResponse = 1024 * 1024;
/** Largest range GetSessionChunk serves. */
export const MaxChunkBytes = 5 * 1024 * 1024;
/** bufio.MaxScanTokenSize: the longest line the file log writes and reads. */
export const MaxScanTokenSize = 64 * 1024;
/** defaults.LogRotationPeriod. */
export const LogRotationPeriodMs = 24 * 60 * 60 * 1000;
/** defaults.PlaybackRecycleTTL. */
export const PlaybackRecycleTtlMs = 12 * 60 * 60 * 1000;

export const LogfileExt = '.log';
export const SymlinkFilename = 'events.log';
export const PlaybackDir = 'playbacks';
export const SessionLogsDir = 'sessions';
export const StreamingSessionsDir = 'streaming';
export const RecordsDir = 'records';
export const UploadDir = 'upload';
export const DefaultNamespace = 'default';

/** Session recording end events that SearchSessionEvents returns. */
export const SessionRecordingEvents: readonly string[] = ['session.end', 'windows.desktop.session.end'];

export const DAY_MS = 24 * 60 * 60 * 1000;
