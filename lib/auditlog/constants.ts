// Names and numbers of Teleport's file audit log (lib/events/filelog.go, auditlog.go, defaults).
// The seed's own constants come from the catalogue in lib/events (one binding per name).
export {
  MaxEventBytesInResponse, MaxChunkBytes, LogfileExt, SymlinkFilename, PlaybackDir, SessionLogsDir,
  StreamingSessionsDir, RecordsDir,
} from '../events/constants.generated.js';

/** Default page size of a search (defaults.EventsIterationLimit). */
export const EventsIterationLimit = 500;
/** Largest page a search may ask for (defaults.EventsMaxIterationLimit). */
export const EventsMaxIterationLimit = 10_000;
/** bufio.MaxScanTokenSize: the longest line the file log writes and reads. */
export const MaxScanTokenSize = 64 * 1024;
/** defaults.LogRotationPeriod. */
export const LogRotationPeriodMs = 24 * 60 * 60 * 1000;
/** defaults.PlaybackRecycleTTL. */
export const PlaybackRecycleTtlMs = 12 * 60 * 60 * 1000;

export const UploadDir = 'upload';
export const DefaultNamespace = 'default';

/** Session recording end events that SearchSessionEvents returns. */
export const SessionRecordingEvents: readonly string[] = ['session.end', 'windows.desktop.session.end'];

export const DAY_MS = 24 * 60 * 60 * 1000;
