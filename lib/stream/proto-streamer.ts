// ProtoStreamer: creates and resumes ProtoStreams on a MultipartUploader (the seed's ProtoStreamer).
import { badParameter, throwIfAborted } from '../errors.js';
import { checkOptions, type OptionsSchema } from '../options.js';
import { codec as defaultCodec } from '../codec/index.js';
import type { SliceCodec } from '../codec/codec.js';
import { trimToMaxSize } from '../events/trim.js';
import { InactivityFlushPeriod, MinUploadPartSizeBytes } from '../events/constants.generated.js';
import type { MultipartUploader, StreamPart, StreamUpload } from './multipart-uploader.js';
import { PARALLEL_COMPRESSION_DEFAULT, ProtoStream } from './proto-stream.js';
import type { Streamer } from './streamer.js';
import type { RetryOptions } from './retry.js';
import type { EventTrimmer } from './slice.js';

/** InactivityFlushPeriod: an idle stream uploads its current part after this long. */

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
  /**
   * Compress a stream's chunks on libuv's thread pool while the next ones are framed (default: off;
   * on 2 vCPUs it measured slower and costlier, see PARALLEL_COMPRESSION_DEFAULT). The parts are
   * byte for byte the same either way.
   */
  parallelCompression?: boolean;
}

export interface StreamOptions {
  signal?: AbortSignal;
}

const PROTO_STREAMER_OPTIONS: OptionsSchema<ProtoStreamerOptions> = {
  uploader: { kind: 'object', methods: ['createUpload', 'uploadPart', 'completeUpload'], required: true },
  minUploadBytes: { kind: 'integer', min: 1 },
  concurrentUploads: { kind: 'integer', min: 1 },
  inactivityFlushMs: { kind: 'number', min: 0 },
  padParts: { kind: 'boolean' },
  retry: { kind: 'object' },
  trim: { kind: 'function' },
  codec: { kind: 'object' },
  now: { kind: 'function' },
  parallelCompression: { kind: 'boolean' },
};

export class ProtoStreamer implements Streamer {
  private readonly options: Required<Omit<ProtoStreamerOptions, 'trim'>> & { trim?: EventTrimmer };

  constructor(options: ProtoStreamerOptions) {
    checkOptions<ProtoStreamerOptions>('ProtoStreamer', options, PROTO_STREAMER_OPTIONS);
    this.options = {
      uploader: options.uploader,
      minUploadBytes: options.minUploadBytes ?? MinUploadPartSizeBytes,
      concurrentUploads: options.concurrentUploads ?? 1,
      inactivityFlushMs: options.inactivityFlushMs ?? InactivityFlushPeriod,
      padParts: options.padParts ?? true,
      retry: options.retry ?? {},
      trim: options.trim,
      codec: options.codec ?? defaultCodec,
      now: options.now ?? (() => new Date()),
      parallelCompression: options.parallelCompression ?? PARALLEL_COMPRESSION_DEFAULT,
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
      parallelCompression: o.parallelCompression,
    });
  }
}
