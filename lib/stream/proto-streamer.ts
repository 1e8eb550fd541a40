// ProtoStreamer: creates and resumes ProtoStreams on a MultipartUploader (the seed's ProtoStreamer).
import { badParameter, throwIfAborted } from '../errors.js';
import { codec as defaultCodec } from '../codec/index.js';
import type { SliceCodec } from '../codec/codec.js';
import { trimToMaxSize } from '../events/trim.js';
import { MIN_UPLOAD_PART_BYTES } from '../codec/part-format.js';
import type { MultipartUploader, StreamPart, StreamUpload } from './multipart-uploader.js';
import { ProtoStream } from './proto-stream.js';
import type { Streamer } from './streamer.js';
import type { RetryOptions } from './retry.js';
import type { EventTrimmer } from './slice.js';

/** InactivityFlushPeriod: an idle stream uploads its current part after this long. */
export const INACTIVITY_FLUSH_MS = 5 * 60 * 1000;

export interface ProtoStreamerOptions {
  uploader: MultipartUploader;
  /** Part size: a part is cut when it reaches this many bytes (default 5 MiB). */
  minUploadBytes?: number;
  /** Parts compressed and uploaded at once per stream (default 1). */
  concurrentUploads?: number;
  /** Idle time before the current part is uploaded (default 5 minutes; 0 disables). */
  inactivityFlushMs?: number;
  /** Pad cut parts to minUploadBytes (default true; S3 needs it, a local disk does not). */
  padParts?: boolean;
  /** Part upload retries: linear backoff (default 1 s step, 30 s max, 1000 attempts). */
  retry?: RetryOptions;
  /** Shrinks events over 64 KiB (default: trimToMaxSize). */
  trim?: EventTrimmer;
  codec?: SliceCodec;
  now?: () => Date;
}

export interface StreamOptions {
  signal?: AbortSignal;
}

const KNOWN_OPTIONS = new Set(['uploader', 'minUploadBytes', 'concurrentUploads', 'inactivityFlushMs', 'padParts', 'retry', 'trim', 'codec', 'now']);

export class ProtoStreamer implements Streamer {
  private readonly options: Required<Omit<ProtoStreamerOptions, 'trim'>> & { trim?: EventTrimmer };

  constructor(options: ProtoStreamerOptions) {
    for (const key of Object.keys(options)) {
      if (!KNOWN_OPTIONS.has(key)) throw badParameter(`unknown ProtoStreamer option ${JSON.stringify(key)}`);
    }
    if (!options.uploader) throw badParameter('ProtoStreamer needs an uploader');
    const minUploadBytes = options.minUploadBytes ?? MIN_UPLOAD_PART_BYTES;
    if (!Number.isSafeInteger(minUploadBytes) || minUploadBytes < 1) {
      throw badParameter(`minUploadBytes must be a positive integer, got ${options.minUploadBytes}`);
    }
    const concurrentUploads = options.concurrentUploads ?? 1;
    if (!Number.isSafeInteger(concurrentUploads) || concurrentUploads < 1) {
      throw badParameter(`concurrentUploads must be a positive integer, got ${options.concurrentUploads}`);
    }
    const inactivityFlushMs = options.inactivityFlushMs ?? INACTIVITY_FLUSH_MS;
    if (!(inactivityFlushMs >= 0)) throw badParameter(`inactivityFlushMs must be >= 0, got ${options.inactivityFlushMs}`);
    this.options = {
      uploader: options.uploader,
      minUploadBytes,
      concurrentUploads,
      inactivityFlushMs,
      padParts: options.padParts ?? true,
      retry: options.retry ?? {},
      trim: options.trim,
      codec: options.codec ?? defaultCodec,
      now: options.now ?? (() => new Date()),
    };
  }

  /** Starts a new upload for the session and returns its stream. */
  async createAuditStream(sessionId: string, options: StreamOptions = {}): Promise<ProtoStream> {
    throwIfAborted(options.signal);
    const upload = await this.options.uploader.createUpload(sessionId, options);
    return this.open(upload, [], options);
  }

  /** A stream for an upload created beforehand. */
  async createAuditStreamForUpload(sessionId: string, upload: StreamUpload, options: StreamOptions = {}): Promise<ProtoStream> {
    if (upload.sessionId !== sessionId) throw badParameter(`upload ${upload.id} belongs to session ${upload.sessionId}, not ${sessionId}`);
    return this.open(upload, [], options);
  }

  /** Continues an upload left open by close() or by a crashed process. */
  async resumeAuditStream(sessionId: string, uploadId: string, options: StreamOptions = {}): Promise<ProtoStream> {
    throwIfAborted(options.signal);
    const upload: StreamUpload = { id: uploadId, sessionId, initiated: this.options.now() };
    const parts = await this.options.uploader.listParts(upload, options);
    return this.open(upload, parts, options);
  }

  private open(upload: StreamUpload, completedParts: readonly StreamPart[], options: StreamOptions): Promise<ProtoStream> {
    const o = this.options;
    return ProtoStream.open({
      uploader: o.uploader,
      upload,
      codec: o.codec,
      minUploadBytes: o.minUploadBytes,
      concurrentUploads: o.concurrentUploads,
      inactivityFlushMs: o.inactivityFlushMs,
      padParts: o.padParts,
      retry: o.retry,
      completedParts,
      trim: o.trim ?? trimToMaxSize,
      signal: options.signal,
      now: o.now,
    });
  }
}
