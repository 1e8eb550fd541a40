export { RecordingIndex, advanceScreen, replayScreenAt, type IndexResult, type RecordingIndexOptions, type SeekPoint } from './recording-index.js';
export { SeekFile, SEEK_FILE_VERSION, type KeyframeEntry, type RecordingStamp, type SeekHeader } from './seek-file.js';
export { buildSeekIndex, KEYFRAME_BYTES, KEYFRAME_MS, type BuildIndexOptions } from './build-index.js';
export { TextIndex, parsePattern, type SearchHit, type SearchOptions, type IndexedSession } from './text-index.js';
export { PgTextIndex, type PgTextIndexOptions } from './pg-text-index.js';
export { lineMatcher, unicode61Tokens, type LineMatcher } from './text-match.js';
export type { TextStore } from './text-store.js';
