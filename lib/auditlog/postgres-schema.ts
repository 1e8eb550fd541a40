// Teleport's pgevents schema and its migration rule: an audit_version table records the versions
// applied; the missing ones run in one serializable transaction, from the first not yet applied;
// a database at a higher version than this code knows is refused.
import type { PoolClient } from 'pg';
import { AuditcastError } from '../errors.js';

/** The nil UUID: session_id of events that belong to no session. */
export const NIL_UUID = '00000000-0000-0000-0000-000000000000';

const VERSION_TABLE = `CREATE TABLE IF NOT EXISTS audit_version (
  version integer PRIMARY KEY CHECK (version > 0),
  created timestamptz NOT NULL DEFAULT now()
)`;

/** schemas[i] brings the database from version i to version i + 1. */
export const SCHEMAS: readonly string[] = [
  `CREATE TABLE events (
    event_time timestamptz NOT NULL,
    event_id uuid NOT NULL,
    event_type text NOT NULL,
    session_id uuid NOT NULL,
    event_data json NOT NULL,
    creation_time timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT events_pkey PRIMARY KEY (event_time, event_id)
  );
  CREATE INDEX events_creation_time_idx ON events USING brin (creation_time);
  CREATE INDEX events_search_session_events_idx ON events (session_id, event_time, event_id)
    WHERE session_id != '${NIL_UUID}';`,
];

/** SQLSTATEs of a lost race between two processes migrating at once: try the transaction again. */
const RACE_STATES = new Set(['40001', '40P01', '23505', '42P07', '42710']);
/** Key of the advisory lock that lets one process at a time migrate ("auditcas" in ASCII). */
const MIGRATION_LOCK = 0x6175646974636173n;
const ATTEMPTS = 10;

/** Brings the schema up to date; returns the versions applied (empty when it already was). */
export async function migrate(client: PoolClient): Promise<number[]> {
  for (let attempt = 1; ; attempt++) {
    try {
      // CREATE ... IF NOT EXISTS is not safe against a concurrent CREATE (its row type can collide):
      // migrators queue on this lock, taken before BEGIN so the transaction's snapshot sees the winner's work.
      await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK.toString()]);
      await client.query('BEGIN ISOLATION LEVEL SERIALIZABLE');
      await client.query(VERSION_TABLE);
      const { rows } = await client.query<{ version: number }>('SELECT COALESCE(max(version), 0)::integer AS version FROM audit_version');
      const current = rows[0]!.version;
      if (current > SCHEMAS.length) {
        throw new AuditcastError('UNSUPPORTED', `the audit database is at schema version ${current}, newer than the ${SCHEMAS.length} this auditcast knows`);
      }
      const applied: number[] = [];
      for (let version = current + 1; version <= SCHEMAS.length; version++) {
        await client.query(SCHEMAS[version - 1]!);
        await client.query('INSERT INTO audit_version (version) VALUES ($1)', [version]);
        applied.push(version);
      }
      await client.query('COMMIT');
      await unlock(client);
      return applied;
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      await unlock(client);
      const state = (err as { code?: string }).code;
      if (attempt < ATTEMPTS && state && RACE_STATES.has(state)) {
        await new Promise((r) => setTimeout(r, 20 * attempt + Math.random() * 50));
        continue;
      }
      throw err;
    }
  }
}

async function unlock(client: PoolClient): Promise<void> {
  await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK.toString()]).catch(() => undefined);
}
