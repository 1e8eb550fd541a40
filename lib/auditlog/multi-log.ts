// MultiLog: writes every event to all its logs and answers searches from the first log that can
// (the seed's MultiLog). WriterLog: a log that writes JSON lines to a stream and cannot search.
import type { Writable } from 'node:stream';
import { AuditcastError, isAuditcastError } from '../errors.js';
import type { AuditEventInput } from '../events/event.js';
import type { Emitter } from '../emitters/emitter.js';
import { MultiEmitter } from '../emitters/multi-emitter.js';
import { WriterEmitter } from '../emitters/writer-emitter.js';
import type { EventSearcher, SearchEventsRequest, SearchResult, SearchSessionEventsRequest } from './search-types.js';

export interface AuditLogger extends Emitter, EventSearcher {
  close?(): Promise<void> | void;
}

const cannotSearch = (what: string) => new AuditcastError('NOT_IMPLEMENTED', `${what}: no log here can search (a WriterLog only writes)`);

export class WriterLog extends WriterEmitter implements AuditLogger {
  async searchEvents(): Promise<SearchResult> {
    throw cannotSearch('searchEvents');
  }

  async searchSessionEvents(): Promise<SearchResult> {
    throw cannotSearch('searchSessionEvents');
  }
}

export class MultiLog implements AuditLogger {
  private readonly loggers: AuditLogger[];
  private readonly fanout: MultiEmitter;

  constructor(...loggers: AuditLogger[]) {
    this.loggers = loggers;
    this.fanout = new MultiEmitter(...loggers);
  }

  emitAuditEvent(event: AuditEventInput): Promise<void> {
    return this.fanout.emitAuditEvent(event);
  }

  searchEvents(request: SearchEventsRequest): Promise<SearchResult> {
    return this.firstThatCan((l) => l.searchEvents(request), 'searchEvents');
  }

  searchSessionEvents(request: SearchSessionEventsRequest): Promise<SearchResult> {
    return this.firstThatCan((l) => l.searchSessionEvents(request), 'searchSessionEvents');
  }

  async close(): Promise<void> {
    const results = await Promise.allSettled(this.loggers.map((l) => l.close?.()));
    const errors = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected').map((r) => r.reason);
    if (errors.length) throw new AggregateError(errors, 'closing the logs failed');
  }

  private async firstThatCan(search: (logger: AuditLogger) => Promise<SearchResult>, what: string): Promise<SearchResult> {
    for (const logger of this.loggers) {
      try {
        return await search(logger);
      } catch (err) {
        if (!isAuditcastError(err, 'NOT_IMPLEMENTED')) throw err;
      }
    }
    throw cannotSearch(what);
  }
}

export function newWriterLog(writable: Writable): WriterLog {
  return new WriterLog(writable);
}
