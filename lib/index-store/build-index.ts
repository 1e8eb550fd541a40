// One pass over a recording: the screen model replays it, a keyframe is stored every ~64 KiB of
// output or ~5 s of session time (with where reading resumes), and each line of text that leaves
// the screen goes to `onLine`. A recording that breaks off mid-way is indexed up to the break, and
// the header says what and where.
import { AuditcastError, throwIfAborted } from '../errors.js';
import type { SliceCodec } from '../codec/codec.js';
import type { AuditEvent } from '../events/event.js';
import { ScreenModel, type ScreenLimits, type ScreenLine, type ScreenSnapshot } from '../screen/screen-model.js';
import { readRecordingFrom } from '../stream/positioned-reader.js';
import { type PartLayout, type PartResume, partLayout, readPartSection, resumeAt } from '../stream/part-checkpoints.js';
import { type KeyframeEntry, type SeekHeader, SEEK_FILE_VERSION, SeekFileWriter, recordingStamp } from './seek-file.js';

/**
 * A screen at t replays up to this much output after its keyframe: 64 KiB keeps a seek within a few
 * ms even before the emulator's code is warm (256 KiB took up to 100 ms cold), at ~1 KiB of index
 * per keyframe (about 1.5% of the output).
 */
export const KEYFRAME_BYTES = 64 * 1024;
export const KEYFRAME_MS = 5000;
/** Parts smaller than this are inflated whole on a seek (no resume points needed), by default. */
export const MIN_RESUME_PART_BYTES = 256 * 1024;
/** Larger sections are not examined (the reader's own part limit refuses them anyway). */
const MAX_LAYOUT_SECTION_BYTES = 64 * 1024 * 1024;

export interface BuildIndexOptions {
  sessionId: string;
  /** Output bytes between keyframes (default 64 KiB). */
  keyframeBytes?: number;
  /** Session milliseconds between keyframes (default 5000). */
  keyframeMs?: number;
  limits?: ScreenLimits;
  codec?: SliceCodec;
  /** Gets every line of text with the session's own event index and time, and the session start (epoch ms, 0 if unknown). */
  onLine?: (line: ScreenLine, sessionStartMs: number) => void;
  /** Gets each keyframe as it is stored, with its screen: a reader can seek before the build ends. */
  onKeyframe?: (entry: KeyframeEntry, snapshot: ScreenSnapshot) => void;
  signal?: AbortSignal;
  /** Told how far into the recording file indexing is (bytes), now and then. */
  onProgress?: (offset: number) => void;
  /** Keyframes in parts at least this large (compressed) resume inside the part (default 256 KiB). */
  minResumePartBytes?: number;
}

function userOf(event: AuditEvent): string {
  const user = (event.User as { User?: unknown } | undefined)?.User;
  return typeof user === 'string' ? user : '';
}

/** Builds the seek file of `recording` at `target`; returns its header. */
export async function buildSeekIndex(recording: string, target: string, options: BuildIndexOptions): Promise<SeekHeader> {
  const stamp = await recordingStamp(recording);
  const keyframeBytes = options.keyframeBytes ?? KEYFRAME_BYTES;
  const keyframeMs = options.keyframeMs ?? KEYFRAME_MS;
  const onLine = options.onLine;
  const model: ScreenModel = new ScreenModel({ ...options.limits, onLine: onLine && ((line) => onLine(line, model.sessionStartMs ?? 0)) });
  const writer = await SeekFileWriter.create(target);
  const keyframes: KeyframeEntry[] = [];
  let user = '';
  let events = 0;
  let outputBytes = 0;
  let bytesSince = 0;
  let lastKeyframeMs = 0;
  let error: string | null = null;
  // The layout of the part the last keyframe fell in (large parts only), for mid-part resumes.
  let layout: { partOffset: number; layout: PartLayout | null } | null = null;
  const keyframe = async (partOffset: number, recordIndex: number) => {
    const snapshot = model.snapshot();
    const where = await writer.addSnapshot(snapshot);
    if (layout?.partOffset !== partOffset) {
      const section = await readPartSection(recording, partOffset, MAX_LAYOUT_SECTION_BYTES);
      layout = { partOffset, layout: section && section.length >= (options.minResumePartBytes ?? MIN_RESUME_PART_BYTES) ? await partLayout(section) : null };
    }
    const resume: PartResume | null = layout.layout && resumeAt(layout.layout, recordIndex);
    const entry: KeyframeEntry = { timeMs: model.time, eventIndex: model.lastEventIndex, partOffset, recordIndex, ...(resume ? { resume } : {}), ...where };
    keyframes.push(entry);
    options.onKeyframe?.(entry, snapshot);
    options.onProgress?.(partOffset);
    bytesSince = 0;
    lastKeyframeMs = model.time;
  };
  try {
    await keyframe(0, 0);
    try {
      for await (const { event, partOffset, recordIndex } of readRecordingFrom(recording, { codec: options.codec, signal: options.signal })) {
        // A keyframe before the event that would pass the limit, so reading resumes at that event.
        if (bytesSince >= keyframeBytes || bytesSince > 0 && model.timeOf(event) - lastKeyframeMs >= keyframeMs) {
          await keyframe(partOffset, recordIndex);
        }
        if (!user && event.Metadata.Type === 'session.start') user = userOf(event);
        model.apply(event);
        events++;
        if (event.Metadata.Type === 'print' && event.Data instanceof Uint8Array) {
          outputBytes += event.Data.length;
          bytesSince += event.Data.length;
        }
      }
    } catch (err) {
      throwIfAborted(options.signal);
      if (!(err instanceof AuditcastError)) throw err;
      error = `${err.message} [${err.code}]`; // indexed up to here
    }
    model.finish();
    const header: SeekHeader = {
      version: SEEK_FILE_VERSION, recording: stamp, sessionId: options.sessionId, user,
      startMs: model.sessionStartMs ?? 0, durationMs: model.time, events, outputBytes, keyframes, error,
    };
    await writer.finish(header);
    return header;
  } catch (err) {
    await writer.abort();
    throw err;
  } finally {
    model.dispose();
  }
}
