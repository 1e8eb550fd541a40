// UploadCompleter (Teleport lib/events/complete.go): completes uploads whose recorder went away, so
// that whatever parts were uploaded become a recording. An upload is abandoned when its session has
// no live tracker and nothing was uploaded to it for the grace period (counted from the newest
// part, or from initiation when there is none). After completing an upload with parts it emits a
// `session.upload` event and, later, a recovered `session.end` (or `windows.desktop.session.end`)
// when the recording has none. One failing upload never stops a pass.
import { randomUUID } from 'node:crypto';
import type { Emitter } from '../emitters/emitter.js';
import type { AuditEvent, EventObject } from '../events/event.js';
import {
  AbandonedUploadPollingRate, DesktopSessionEndCode, SessionEndCode, SessionEndEvent, SessionUploadCode, SessionUploadEvent, SessionUploadIndex,
  WindowsDesktopSessionEndEvent,
} from '../events/constants.generated.js';
import { Timestamp } from '../events/timestamp.js';
import { AuditcastError, badParameter, isAuditcastError, toAuditcastError } from '../errors.js';
import { ProtoReader } from '../stream/proto-reader.js';
import { missingPartNumbers } from '../stream/part-numbers.js';
import type { MultipartUploader, StreamPart, StreamUpload } from './multipart-uploader.js';
import { checkOptions, type OptionsSchema } from '../options.js';
import type { CallOptions } from '../call-options.js';

/** UploadCompleterGracePeriod. */
export const DEFAULT_GRACE_PERIOD_MS = 24 * 60 * 60 * 1000;
/** Teleport waits this long after completing before it reads the recording back. */
export const SESSION_END_DELAY_MS = 2 * 60 * 1000;

/** Where the completer sends its events: any Emitter (an audit log, a MultiEmitter...). */
export interface CompleterAuditLog extends Emitter {
  /** The session's recorded events; when absent the recording is read from the uploader. */
  streamSessionEvents?(sessionId: string): AsyncIterable<AuditEvent>;
}

/** Live sessions: `getSessionTracker` resolves while the session runs and throws NOT_FOUND after. */
export interface SessionTrackerService {
  getSessionTracker(sessionId: string): Promise<unknown>;
}

export interface Clock {
  now(): Date;
}

export interface UploadCompleterOptions {
  uploader: MultipartUploader;
  auditLog?: CompleterAuditLog;
  /** Without one, every upload past its grace period counts as abandoned. */
  sessionTracker?: SessionTrackerService;
  /** Default 24 h; a negative value completes at once. */
  gracePeriodMs?: number;
  /** Polling period of serve() (default 5 min; the first check comes after half of it). */
  checkPeriodMs?: number;
  /** Delay before the session end check (default 2 min). */
  sessionEndDelayMs?: number;
  clusterName?: string;
  clock?: Clock;
  /** Taken before each periodic check (HA: one completer at a time); a throw skips the round. */
  acquireLock?: () => Promise<unknown>;
  /** Told about every upload that could not be handled (the pass goes on). */
  onError?: (error: AuditcastError, upload?: StreamUpload) => void;
}

const OPTIONS: OptionsSchema<UploadCompleterOptions> = {
  uploader: { kind: 'object', methods: ['listUploads', 'listParts', 'completeUpload', 'getUploadMetadata'], required: true },
  auditLog: { kind: 'object', methods: ['emitAuditEvent'] },
  sessionTracker: { kind: 'object', methods: ['getSessionTracker'] },
  gracePeriodMs: { kind: 'number' },
  checkPeriodMs: { kind: 'number', min: 1 },
  sessionEndDelayMs: { kind: 'number', min: 0 },
  clusterName: { kind: 'string' },
  clock: { kind: 'object', methods: ['now'] },
  acquireLock: { kind: 'function' },
  onError: { kind: 'function' },
};

export interface CheckUploadsResult {
  /** Uploads seen. */
  uploads: number;
  /** Uploads completed in this pass. */
  completed: StreamUpload[];
  /** Uploads skipped: session still live, or within the grace period. */
  skipped: StreamUpload[];
  /** Uploads that failed, with why; the others were still handled. */
  errors: Array<{ upload: StreamUpload; error: AuditcastError }>;
  /**
   * Later uploads of sessions that already have a recording: never completed over it, kept beside
   * it (see the uploader's completeUpload). Listed on every pass while they stay (S3 keeps them as
   * open uploads), but in `errors` and told to onError only on the first pass that meets them.
   */
  stale: Array<{ upload: StreamUpload; error: AuditcastError }>;
}

const toError = (err: unknown, what: string): AuditcastError => toAuditcastError(err, 'CONNECTION_PROBLEM', what);

export class UploadCompleter {
  private readonly uploader: MultipartUploader;
  private readonly auditLog?: CompleterAuditLog;
  private readonly sessionTracker?: SessionTrackerService;
  private readonly gracePeriodMs: number;
  private readonly checkPeriodMs: number;
  private readonly sessionEndDelayMs: number;
  private readonly clusterName: string;
  private readonly clock: Clock;
  private readonly acquireLock?: () => Promise<unknown>;
  private readonly onError?: (error: AuditcastError, upload?: StreamUpload) => void;
  private readonly pending = new Set<Promise<void>>();
  /** Ids of the stale uploads already reported (forgotten once they are no longer listed). */
  private readonly reportedStale = new Set<string>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private closed = false;
  /** Ends the running serve() loop. */
  private stopServing?: () => void;

  constructor(options: UploadCompleterOptions) {
    checkOptions<UploadCompleterOptions>('UploadCompleter', options, OPTIONS);
    this.uploader = options.uploader;
    this.auditLog = options.auditLog;
    this.sessionTracker = options.sessionTracker;
    this.gracePeriodMs = options.gracePeriodMs ?? DEFAULT_GRACE_PERIOD_MS;
    this.checkPeriodMs = options.checkPeriodMs ?? AbandonedUploadPollingRate;
    this.sessionEndDelayMs = options.sessionEndDelayMs ?? SESSION_END_DELAY_MS;
    this.clusterName = options.clusterName ?? '';
    this.clock = options.clock ?? { now: () => new Date() };
    this.acquireLock = options.acquireLock;
    this.onError = options.onError;
  }

  /** One pass over the uploads in progress. Rejects only when the uploads cannot be listed. */
  async checkUploads(options: CallOptions = {}): Promise<CheckUploadsResult> {
    const uploads = await this.uploader.listUploads(options);
    const result: CheckUploadsResult = { uploads: uploads.length, completed: [], skipped: [], errors: [], stale: [] };
    for (const upload of uploads) {
      if (options.signal?.aborted || this.closed) break;
      try {
        const done = await this.checkUpload(upload, options.signal);
        (done ? result.completed : result.skipped).push(upload);
      } catch (err) {
        const error = toError(err, `complete upload ${upload.id} of session ${upload.sessionId}`);
        if (error.code === 'ALREADY_EXISTS') {
          result.stale.push({ upload, error });
          // Told once: an operator's log must not fill with the same stale upload every pass.
          if (this.reportedStale.has(upload.id)) continue;
          this.reportedStale.add(upload.id);
        }
        result.errors.push({ upload, error });
        this.onError?.(error, upload);
      }
    }
    // Remember only what is still there (an upload completed, aborted or merged is gone).
    if (!options.signal?.aborted && !this.closed) {
      const listed = new Set(uploads.map((upload) => upload.id));
      for (const id of this.reportedStale) if (!listed.has(id)) this.reportedStale.delete(id);
    }
    return result;
  }

  /** A periodic check: takes the lock when configured (no lock, no pass), then checkUploads. */
  async performPeriodicCheck(options: CallOptions = {}): Promise<CheckUploadsResult | null> {
    if (this.acquireLock) {
      try {
        await this.acquireLock();
      } catch {
        return null;
      }
    }
    try {
      return await this.checkUploads(options);
    } catch (err) {
      if (!options.signal?.aborted) this.onError?.(toError(err, 'list uploads'));
      return null;
    }
  }

  /**
   * Serve: runs performPeriodicCheck every checkPeriodMs (the first after half of it) until close()
   * or until the signal aborts (which also cancels the pass in flight); resolves then. One loop at a
   * time: a second call while serving is BAD_PARAMETER.
   */
  serve(options: CallOptions = {}): Promise<void> {
    if (this.stopServing) return Promise.reject(badParameter('UploadCompleter: serve() is already running'));
    const { signal } = options;
    if (this.closed || signal?.aborted) return Promise.resolve();
    return new Promise<void>((resolve) => {
      let timer: NodeJS.Timeout | undefined;
      const stop = () => {
        if (timer) clearTimeout(timer);
        signal?.removeEventListener('abort', stop);
        this.stopServing = undefined;
        resolve();
      };
      const tick = (ms: number) => {
        timer = setTimeout(() => {
          timer = undefined;
          void this.performPeriodicCheck({ signal }).finally(() => {
            if (this.stopServing === stop) tick(this.checkPeriodMs);
          });
        }, ms);
        timer.unref?.();
      };
      this.stopServing = stop;
      signal?.addEventListener('abort', stop, { once: true });
      tick(Math.floor(this.checkPeriodMs / 2));
    });
  }

  /** Waits for the scheduled session end checks. */
  async drain(): Promise<void> {
    while (this.pending.size > 0) await Promise.all([...this.pending]);
  }

  /** Stops serving and drops the session end checks not yet started. */
  close(): void {
    this.closed = true;
    this.stopServing?.();
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
  }

  // ------------------------------------------------------------------------------------------

  /** true when completed, false when skipped; throws when it failed. */
  private async checkUpload(upload: StreamUpload, signal?: AbortSignal): Promise<boolean> {
    if (this.sessionTracker) {
      try {
        await this.sessionTracker.getSessionTracker(upload.sessionId);
        return false; // the session is live
      } catch (err) {
        if (!isAuditcastError(err, 'NOT_FOUND')) throw toError(err, `session tracker of ${upload.sessionId}`);
      }
    }
    let parts: StreamPart[];
    try {
      parts = await this.uploader.listParts(upload, { signal });
    } catch (err) {
      if (isAuditcastError(err, 'NOT_FOUND')) return false; // completed meanwhile (HA)
      throw err;
    }
    // The grace period runs from the last sign of life: the newest part, else the initiation.
    let lastActivity = upload.initiated.getTime();
    for (const part of parts) lastActivity = Math.max(lastActivity, part.lastModified.getTime());
    if (this.clock.now().getTime() - lastActivity <= this.gracePeriodMs) return false;
    const missing = missingPartNumbers(parts);
    if (missing.length > 0) {
      // Never a recording with a silent hole: the upload stays for an operator (or a resume).
      throw new AuditcastError('CORRUPTED', `upload ${upload.id} of session ${upload.sessionId} is missing part ${missing.join(', ')} (has ${parts.map((p) => p.number).join(', ')}); not completed`);
    }

    try {
      await this.uploader.completeUpload(upload, parts, { signal });
    } catch (err) {
      if (isAuditcastError(err, 'NOT_FOUND')) return false; // another completer won (HA)
      throw err;
    }
    if (parts.length === 0) return true;

    const metadata = this.uploader.getUploadMetadata(upload.sessionId);
    this.scheduleSessionEndCheck(upload);
    if (this.auditLog) {
      const now = Timestamp.fromDate(this.clock.now());
      await this.auditLog.emitAuditEvent({
        $type: 'SessionUpload',
        Metadata: {
          Index: SessionUploadIndex, Type: SessionUploadEvent, ID: randomUUID(), Code: SessionUploadCode,
          Time: now, ClusterName: this.clusterName,
        },
        SessionMetadata: { SessionID: upload.sessionId },
        SessionURL: metadata.url,
      });
    }
    return true;
  }

  private scheduleSessionEndCheck(upload: StreamUpload): void {
    if (!this.auditLog || this.closed) return;
    let resolve!: () => void;
    const job = new Promise<void>((r) => { resolve = r; });
    this.pending.add(job);
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      this.ensureSessionEndEvent(upload.sessionId)
        .catch((err: unknown) => this.onError?.(toError(err, `recover session end of ${upload.sessionId}`), upload))
        .finally(() => {
          this.pending.delete(job);
          resolve();
        });
    }, this.sessionEndDelayMs);
    timer.unref?.();
    this.timers.add(timer);
  }

  /** Emits a recovered end event when the session's recording has none. Public for tests and tools. */
  async ensureSessionEndEvent(sessionId: string): Promise<AuditEvent | null> {
    if (!this.auditLog) return null;
    const events = this.auditLog.streamSessionEvents
      ? this.auditLog.streamSessionEvents(sessionId)
      : new ProtoReader(await this.uploader.downloadStream(sessionId));
    const end = await recoverSessionEnd(events, this.clusterName);
    if (!end) return null;
    if (end.Metadata.ID === '') end.Metadata.ID = randomUUID();
    if (end.Metadata.Time.isZero()) end.Metadata.Time = Timestamp.fromDate(this.clock.now());
    if (end.Metadata.ClusterName === '') end.Metadata.ClusterName = this.clusterName;
    await this.auditLog.emitAuditEvent(end);
    return end;
  }
}

/**
 * StartNewUploadCompleter: a completer serving in the background until the signal aborts, which
 * closes it (pending session end checks dropped). Returns it so that callers can drain() or close().
 */
export function startNewUploadCompleter(options: UploadCompleterOptions, callOptions: CallOptions = {}): UploadCompleter {
  const completer = new UploadCompleter(options);
  const { signal } = callOptions;
  if (signal?.aborted) {
    completer.close();
    return completer;
  }
  const close = () => completer.close();
  signal?.addEventListener('abort', close, { once: true });
  void completer.serve({ signal }).finally(() => signal?.removeEventListener('abort', close));
  return completer;
}

/**
 * Builds the missing end event of a session from its start and join events: null when the
 * session already has one; BAD_PARAMETER when there is no start event; NOT_FOUND when no events.
 */
export async function recoverSessionEnd(events: AsyncIterable<AuditEvent> | Iterable<AuditEvent>, clusterName = ''): Promise<AuditEvent & { Metadata: { Time: Timestamp; ID: string; ClusterName: string } } | null> {
  let ssh: EventObject | null = null;
  let desktop: EventObject | null = null;
  const participants: string[] = [];
  let last: AuditEvent | null = null;
  let sessionId = '';
  for await (const event of events as AsyncIterable<AuditEvent>) {
    last = event;
    const type = event.Metadata?.Type;
    if (type === SessionEndEvent || type === WindowsDesktopSessionEndEvent) return null;
    const user = (event.User as { User?: string } | undefined)?.User ?? '';
    if (type === 'session.start') {
      const e = event as Record<string, unknown>;
      sessionId = (e.Session as { SessionID?: string } | undefined)?.SessionID ?? sessionId;
      ssh = {
        $type: 'SessionEnd',
        Metadata: meta(SessionEndEvent, SessionEndCode, event.Metadata.ClusterName || clusterName),
        User: e.User,
        Session: e.Session,
        Connection: e.Connection,
        Server: e.Server,
        Interactive: typeof e.TerminalSize === 'string' && e.TerminalSize !== '',
        StartTime: Timestamp.from(event.Metadata.Time),
        ...(e.KubernetesCluster !== undefined ? { KubernetesCluster: e.KubernetesCluster } : {}),
        ...(e.KubernetesPod !== undefined ? { KubernetesPod: e.KubernetesPod } : {}),
        ...(e.InitialCommand !== undefined ? { InitialCommand: e.InitialCommand } : {}),
        ...(e.SessionRecording !== undefined ? { SessionRecording: e.SessionRecording } : {}),
      };
      participants.push(user);
    } else if (type === 'session.join') {
      participants.push(user);
    } else if (type === 'windows.desktop.session.start') {
      const e = event as Record<string, unknown>;
      desktop = {
        $type: 'WindowsDesktopSessionEnd',
        Metadata: meta(WindowsDesktopSessionEndEvent, DesktopSessionEndCode, event.Metadata.ClusterName || clusterName),
        User: e.User,
        Session: e.Session,
        WindowsDesktopService: e.WindowsDesktopService,
        DesktopAddr: e.DesktopAddr,
        Domain: e.Domain,
        DesktopLabels: e.DesktopLabels,
        DesktopName: `${(e.DesktopName as string | undefined) ?? ''} (recovered)`,
        StartTime: Timestamp.from(event.Metadata.Time),
        Recorded: true,
        Participants: [user],
      };
    }
  }
  if (!last) throw new AuditcastError('NOT_FOUND', `could not find any events for session ${sessionId || '(unknown)'}`);
  const endTime = Timestamp.from(last.Metadata.Time);
  const end = ssh ?? desktop;
  if (!end) throw badParameter('invalid session, could not find session start');
  if (end === ssh) end.Participants = [...new Set(participants)];
  end.EndTime = endTime;
  end.Metadata.Time = endTime;
  return end as AuditEvent & { Metadata: { Time: Timestamp; ID: string; ClusterName: string } };
}

function meta(type: string, code: string, clusterName: string) {
  return { Index: 0, Type: type, ID: '', Code: code, Time: Timestamp.ZERO, ClusterName: clusterName };
}
