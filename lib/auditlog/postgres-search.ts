// One page of a search in Teleport's pgevents table: rows with event_time in [from, to], optional
// type and session filters, ordered by (event_time, event_id) both ascending or both descending,
// after the start key, read through a server-side cursor in small batches so a page never holds
// more than it returns. The page stops at the limit, or before its event_data would pass 1 MiB.
import type { PoolClient } from 'pg';
import Cursor from 'pg-cursor';
import { badParameter, throwIfAborted } from '../errors.js';
import type { AuditEvent } from '../events/event.js';
import { isUuid } from '../uploads/ids.js';
import { MaxEventBytesInResponse } from './constants.js';
import { EventFields, fieldsToEvent, trimToMaxSize } from './event-json.js';
import { auditQueriedTrimmedEvents } from '../metrics.js';
import { decodeKey, encodeKey, microsToText, toMicros, type RowKey } from './postgres-key.js';
import { checkPageQuery } from './page-query.js';
import type { SearchPageQuery, SearchResult } from './search-types.js';

interface Row {
  micros: string;
  event_id: string;
  event_data: string;
}

/** Checks the query and builds its SQL; throws BAD_PARAMETER before anything is sent. */
export function pageStatement(query: SearchPageQuery): { sql: string; params: unknown[]; limit: number; descending: boolean } {
  const checked = checkPageQuery(query);
  const { limit } = checked;
  const descending = checked.order === 'desc';
  const from = toMicros(checked.from);
  const to = toMicros(checked.to);
  const key: RowKey | undefined = query.startKey ? decodeKey(query.startKey) : undefined;
  if (query.sessionId !== undefined && query.sessionId !== '' && !isUuid(query.sessionId)) {
    throw badParameter(`session id must be a UUID, got ${JSON.stringify(String(query.sessionId).slice(0, 64))}`);
  }

  const params: unknown[] = [microsToText(from), microsToText(to)];
  const where = ['event_time BETWEEN $1 AND $2'];
  if (query.eventTypes.length > 0) {
    params.push([...query.eventTypes]);
    where.push(`event_type = ANY($${params.length}::text[])`);
  }
  if (query.sessionId) {
    params.push(query.sessionId);
    where.push(`session_id = $${params.length}::uuid`);
  }
  if (key) {
    params.push(microsToText(key.micros), key.id);
    where.push(`(event_time, event_id) ${descending ? '<' : '>'} ($${params.length - 1}::timestamptz, $${params.length}::uuid)`);
  }
  const dir = descending ? 'DESC' : 'ASC';
  // A condition is checked here, so the server cannot stop at the limit for us.
  const cap = query.cond ? '' : ` LIMIT ${limit}`;
  const sql = `SELECT (EXTRACT(EPOCH FROM event_time) * 1000000)::int8::text AS micros, event_id::text AS event_id, event_data::text AS event_data
    FROM events WHERE ${where.join(' AND ')} ORDER BY event_time ${dir}, event_id ${dir}${cap}`;
  return { sql, params, limit, descending };
}

/** Runs the page on `client`, reading `batchRows` rows at a time. */
export async function readPage(client: PoolClient, query: SearchPageQuery, batchRows: number): Promise<SearchResult> {
  const { sql, params, limit } = pageStatement(query);
  const cursor = client.query(new Cursor<Row>(sql, params));
  const events: AuditEvent[] = [];
  let size = 0;
  let last: Row | undefined;
  let full = false;
  try {
    reading: for (;;) {
      throwIfAborted(query.signal);
      const rows = await cursor.read(batchRows);
      if (rows.length === 0) break;
      for (const row of rows) {
        const fields = EventFields.parse(row.event_data);
        if (query.cond && !query.cond(fields)) continue;
        const bytes = Buffer.byteLength(row.event_data);
        // a row alone over the cap still makes a page of one, or the search could never pass it
        if (events.length > 0 && size + bytes > MaxEventBytesInResponse) {
          full = true;
          break reading;
        }
        size += bytes;
        const event = fieldsToEvent(fields);
        if (bytes > MaxEventBytesInResponse) {
          // Alone over the response cap (a row another writer stored): trimmed to fit, as Teleport does.
          events.push(trimToMaxSize(event, MaxEventBytesInResponse));
          auditQueriedTrimmedEvents.inc();
        } else {
          events.push(event);
        }
        last = row;
        if (events.length >= limit) {
          full = true;
          break reading;
        }
      }
    }
  } finally {
    await cursor.close().catch(() => undefined);
  }
  const lastKey = full && last ? encodeKey({ micros: BigInt(last.micros), id: last.event_id }) : '';
  return { events, lastKey };
}
