// Shared by the PostgresLog suites: one throwaway cluster per suite, a fresh database per test,
// the golden audit events as Teleport writes them, and Teleport's key computed independently.
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll } from 'vitest';
import { fromEventFields } from '../../lib/events/event-fields.js';
import { getSessionId } from '../../lib/events/event-getters.js';
import { startPostgres, type PostgresCluster } from '../helpers/postgres-cluster.js';

export interface GoldenEvent {
  index: number;
  event: string;
  json_back: Record<string, unknown>;
}

const fixtures = new URL('../../../shared/fixtures/', import.meta.url);

/** The 165 golden events Teleport could encode, with their JSON as Teleport marshals it. */
export const goldenEvents: GoldenEvent[] = readFileSync(new URL('teleport-golden/audit-events.golden.jsonl', fixtures), 'utf8')
  .split('\n').filter(Boolean).map((l) => JSON.parse(l) as GoldenEvent & { skipped?: unknown })
  .filter((g) => g.json_back !== undefined);

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
export const hasUuidSid = (g: GoldenEvent) => typeof g.json_back.sid !== 'string' || g.json_back.sid === '' || UUID.test(g.json_back.sid);

/** Starts one cluster for the suite; `cluster()` hands it out, `database()` a fresh database URL. */
export function useCluster(): { cluster: () => PostgresCluster; database: () => Promise<{ name: string; url: string }> } {
  let cluster: PostgresCluster | undefined;
  beforeAll(async () => {
    cluster = await startPostgres();
  }, 120_000);
  afterAll(async () => {
    await cluster?.stop();
  });
  return {
    cluster: () => cluster!,
    async database() {
      const name = `t_${randomUUID().replace(/-/g, '')}`;
      return { name, url: await cluster!.createDatabase(name) };
    },
  };
}

/** Teleport's nextKey, built the way Go does: int64 LE micros + UUID bytes, base64.URLEncoding. */
export function teleportKey(micros: string, eventId: string): string {
  const time = Buffer.alloc(8);
  time.writeBigInt64LE(BigInt(micros));
  const std = Buffer.concat([time, Buffer.from(eventId.replace(/-/g, ''), 'hex')]).toString('base64');
  return std.replace(/\+/g, '-').replace(/\//g, '_');
}

/** The INSERT Teleport's pgevents runs for one event. */
export const TELEPORT_INSERT = `INSERT INTO events (event_time, event_id, event_type, session_id, event_data)
  VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING`;

export const NIL = '00000000-0000-0000-0000-000000000000';

/**
 * The session_id Teleport stores: events.GetSessionID reads the embedded SessionMetadata only, so an
 * event with a `sid` field of its own (session.recording.access) is stored with the nil UUID.
 */
export function teleportSessionId(g: GoldenEvent): string {
  const sid = getSessionId(fromEventFields(g.json_back));
  return sid === '' ? NIL : sid.toLowerCase();
}

/** Teleport's row for a golden event: its time, a fresh id, its type, its session (or nil), its JSON. */
export function teleportRow(g: GoldenEvent): unknown[] {
  const j = g.json_back;
  return [j.time, randomUUID(), j.event, teleportSessionId(g), JSON.stringify(j)];
}
