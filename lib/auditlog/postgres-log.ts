// PostgresLog: the audit log in Teleport's pgevents schema (lib/events/pgevents), so one database
// serves many recorders and is searchable by auditcast and Teleport alike. Emits that arrive while
// a write is in flight are sent together as one multi-row INSERT (still one row per event, each
// with its own random event_id chosen before the first try, so retries after a lost connection
// cannot duplicate). Searches page through a server-side cursor; old rows are deleted hourly.
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { AuditcastError, badParameter, throwIfAborted } from '../errors.js';
import type { AuditEventInput } from '../events/event.js';
import { Timestamp } from '../events/timestamp.js';
import type { CallOptions } from '../call-options.js';
import { auditFailedEmitEvents } from '../metrics.js';
import { derivedUuid } from '../uploads/derived-id.js';
import { isUuid } from '../uploads/ids.js';
import { embedded, getSessionId } from '../events/event-getters.js';
import type { TimeInput } from '../events/timestamp.js';
import { SessionRecordingEvents } from './constants.js';
import { eventJsonLine } from './event-json.js';
import type { AuditLogger } from './multi-log.js';
import { type PostgresLogConfig, type PostgresLogOptions, postgresLogConfig } from './postgres-config.js';
import { isRetryable, postgresError } from './postgres-errors.js';
import { PostgresPool } from './postgres-pool.js';
import { microsToText, toMicros } from './postgres-key.js';
import {
  postgresSearchErrors, postgresSearchSeconds, postgresWriteErrors, postgresWriteRetries, postgresWriteSeconds, postgresWrittenEvents,
} from './postgres-metrics.js';
import { migrate, NIL_UUID } from './postgres-schema.js';
import { pageStatement, readPage } from './postgres-search.js';
import type { SearchEventsRequest, SearchPageQuery, SearchResult, SearchSessionEventsRequest } from './search-types.js';
import { checkSearchEventsRequest, checkSearchSessionEventsRequest } from './search-request.js';

const INSERT = `INSERT INTO events (event_time, event_id, event_type, session_id, event_data)
  SELECT * FROM unnest($1::timestamptz[], $2::uuid[], $3::text[], $4::uuid[], $5::json[])
  ON CONFLICT DO NOTHING`;

const CLEANUP = 'DELETE FROM events WHERE creation_time < now() - make_interval(secs => $1::float8)';

/** One event as the row Teleport writes. */
interface EventRow {
  time: string;
  id: string;
  type: string;
  sessionId: string;
  data: string;
}

interface PendingWrite {
  row: EventRow;
  resolve: () => void;
  reject: (err: unknown) => void;
}

export interface PostgresLogStats {
  /** Events written (acknowledged by the server). */
  emitted: number;
  /** INSERT statements sent (emits that queued up share one). */
  statements: number;
  /** Statements sent again after a connection error. */
  retries: number;
  /** Rows deleted by retention. */
  deleted: number;
}

/** Metadata wherever the event's message keeps it (DeviceEvent names the field `metadata`). */
function metadataOf(event: AuditEventInput): { Type?: unknown; Time?: unknown } {
  return (embedded(event, 'Metadata') ?? event.Metadata ?? {}) as { Type?: unknown; Time?: unknown };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export class PostgresLog implements AuditLogger {
  readonly config: PostgresLogConfig;
  readonly stats: PostgresLogStats = { emitted: 0, statements: 0, retries: 0, deleted: 0 };
  private readonly pool: PostgresPool;
  private readonly pending: PendingWrite[] = [];
  private inFlight = 0;
  private readonly idle = new Set<() => void>();
  private timer: NodeJS.Timeout | undefined;
  private cleaning: Promise<unknown> = Promise.resolve();
  private closed = false;

  private constructor(config: PostgresLogConfig) {
    this.config = config;
    this.pool = new PostgresPool(config, 'auditcast');
  }

  /** Connects, brings the schema up to date and starts the retention loop. */
  static async open(options: PostgresLogOptions): Promise<PostgresLog> {
    const log = new PostgresLog(postgresLogConfig(options));
    try {
      await log.withClient('set up the schema', (client) => migrate(client));
    } catch (err) {
      await log.pool.end().catch(() => undefined);
      throw err;
    }
    if (log.config.cleanup) {
      log.timer = setInterval(() => { log.cleaning = log.cleanup().catch(() => undefined); }, log.config.cleanupIntervalMs);
      log.timer.unref();
    }
    return log;
  }

  private withClient<T>(what: string, run: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    return this.pool.withClient(what, run);
  }

  /** Runs an idempotent operation, trying again on connection errors until retryTimeoutMs passes. */
  private async retrying<T>(what: string, run: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    const deadline = Date.now() + this.config.retryTimeoutMs;
    for (let delay = 50; ; delay = Math.min(delay * 2, 1000)) {
      try {
        return await run();
      } catch (err) {
        if (this.closed || !isRetryable(err) || Date.now() + delay > deadline || signal?.aborted) throw postgresError(err, what, this.config.displayUrl);
        this.stats.retries++;
        postgresWriteRetries.inc();
        await sleep(delay);
      }
    }
  }

  /** The row of an event; `derivedId`: its event_id is a hash of the row, not random (imports). */
  private row(event: AuditEventInput, derivedId = false): EventRow {
    if (event === null || typeof event !== 'object') throw badParameter('emitAuditEvent needs an event object');
    const meta = metadataOf(event);
    const type = typeof meta.Type === 'string' ? meta.Type : '';
    const sid = getSessionId(event);
    if (sid !== '' && !isUuid(sid)) {
      throw badParameter(`event ${type}: session id ${JSON.stringify(String(sid).slice(0, 64))} is not a UUID (PostgreSQL stores it as uuid)`);
    }
    const time = microsToText(toMicros(Timestamp.from(meta.Time as TimeInput | undefined)));
    const sessionId = sid === '' ? NIL_UUID : sid.toLowerCase();
    const data = eventJsonLine(event);
    return { time, id: derivedId ? derivedUuid('pgevents-row', time, type, sessionId, data) : randomUUID(), type, sessionId, data };
  }

  /** Writes the event as one row; resolves once the server has it. */
  emitAuditEvent(event: AuditEventInput, options: CallOptions = {}): Promise<void> {
    return this.send(event, options, false);
  }

  /**
   * Writes an event copied from elsewhere (an import): its event_id is derived from the row itself,
   * so the same event imported again hits the (event_time, event_id) key of Teleport's schema and
   * the INSERT's ON CONFLICT DO NOTHING leaves one row.
   */
  importAuditEvent(event: AuditEventInput, options: CallOptions = {}): Promise<void> {
    return this.send(event, options, true);
  }

  private send(event: AuditEventInput, options: CallOptions, derivedId: boolean): Promise<void> {
    try {
      if (this.closed) throw new AuditcastError('BAD_PARAMETER', 'PostgresLog is closed');
      throwIfAborted(options.signal);
      const row = this.row(event, derivedId);
      return new Promise<void>((resolve, reject) => {
        this.pending.push({ row, resolve, reject });
        this.pump();
      });
    } catch (err) {
      auditFailedEmitEvents.inc();
      return Promise.reject(err);
    }
  }

  /** Sends what is queued, up to one statement per pooled connection. */
  private pump(): void {
    while (this.pending.length > 0 && this.inFlight < this.config.poolSize) {
      const batch = this.pending.splice(0, this.config.maxBatchRows);
      this.inFlight++;
      void this.write(batch).finally(() => {
        this.inFlight--;
        if (this.pending.length > 0) this.pump();
        else if (this.inFlight === 0) for (const done of this.idle) done();
      });
    }
  }

  private async write(batch: PendingWrite[]): Promise<void> {
    const columns: string[][] = [[], [], [], [], []];
    for (const { row } of batch) {
      columns[0]!.push(row.time);
      columns[1]!.push(row.id);
      columns[2]!.push(row.type);
      columns[3]!.push(row.sessionId);
      columns[4]!.push(row.data);
    }
    const stop = postgresWriteSeconds.startTimer();
    try {
      await this.retrying(`write ${batch.length} event(s)`, () => {
        this.stats.statements++;
        // query_timeout: a server that stops answering mid-statement still ends the call. (Not set
        // on the pool: pg leaves its timer running for cursor queries, which keeps a process alive.)
        const query = { text: INSERT, values: columns, query_timeout: this.config.statementTimeoutMs + this.config.connectTimeoutMs };
        return this.pool.query(query as pg.QueryConfig<unknown[]>);
      });
      stop();
      this.stats.emitted += batch.length;
      postgresWrittenEvents.inc(batch.length);
      for (const p of batch) p.resolve();
    } catch (err) {
      postgresWriteErrors.inc(batch.length);
      auditFailedEmitEvents.inc(batch.length);
      for (const p of batch) p.reject(err);
    }
  }

  /** Resolves when every emit so far has been answered. */
  flush(): Promise<void> {
    if (this.pending.length === 0 && this.inFlight === 0) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        this.idle.delete(done);
        resolve();
      };
      this.idle.add(done);
    });
  }

  private async page(query: SearchPageQuery): Promise<SearchResult> {
    pageStatement(query); // bad input fails here, before a connection is taken
    const stop = postgresSearchSeconds.startTimer();
    try {
      const result = await this.retrying('search events', () => this.withClient('search events', (client) => readPage(client, query, this.config.cursorBatchRows)), query.signal);
      stop();
      return result;
    } catch (err) {
      postgresSearchErrors.inc();
      throw err;
    }
  }

  /** Events in [from, to] of the given types, one page at a time. */
  async searchEvents(request: SearchEventsRequest): Promise<SearchResult> {
    checkSearchEventsRequest(request);
    return this.page({ ...request, eventTypes: request.eventTypes ?? [] });
  }

  /** session.end and windows.desktop.session.end events, optionally of one session and a condition. */
  async searchSessionEvents(request: SearchSessionEventsRequest): Promise<SearchResult> {
    checkSearchSessionEventsRequest(request);
    return this.page({ ...request, eventTypes: SessionRecordingEvents });
  }

  /** Deletes rows whose creation_time is older than the retention period; returns how many. */
  async cleanup(): Promise<number> {
    const seconds = this.config.retentionPeriodMs / 1000;
    const result = await this.withClient('delete expired events', (client) => client.query(CLEANUP, [seconds]));
    const deleted = result.rowCount ?? 0;
    this.stats.deleted += deleted;
    return deleted;
  }

  /** Waits for emits in flight, stops the retention loop and closes the pool. Safe to call twice. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.timer);
    await this.flush();
    await this.cleaning;
    await this.pool.end();
  }
}

