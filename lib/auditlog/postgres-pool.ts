// One connection pool to PostgreSQL with the config's timeouts, shared by the audit log and the
// text index: a client is borrowed for one piece of work and every failure becomes an
// AuditcastError that names the work and the server (never the password).
import pg from 'pg';
import type { PostgresLogConfig } from './postgres-config.js';
import { isRetryable, postgresError } from './postgres-errors.js';

export class PostgresPool {
  private readonly pool: pg.Pool;

  constructor(private readonly config: PostgresLogConfig, applicationName: string) {
    this.pool = new pg.Pool({
      connectionString: config.connectionString,
      max: config.poolSize,
      connectionTimeoutMillis: config.connectTimeoutMs,
      statement_timeout: config.statementTimeoutMs,
      idleTimeoutMillis: 30_000,
      allowExitOnIdle: true,
      application_name: applicationName,
    });
    // A pooled idle connection that the server drops (restart, admin kill) reports here; the next
    // piece of work simply takes a new connection.
    this.pool.on('error', () => undefined);
  }

  /** Runs `run` on a borrowed client; `what` names the work in errors ("search events"). */
  async withClient<T>(what: string, run: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    let client: pg.PoolClient;
    try {
      client = await this.pool.connect();
    } catch (err) {
      throw postgresError(err, `${what}: cannot connect`, this.config.displayUrl);
    }
    try {
      const result = await run(client);
      client.release();
      return result;
    } catch (err) {
      if (isRetryable(err)) {
        // a connection that failed mid-statement is not given back to the pool
        client.release(err as Error);
      } else {
        // a failed statement may leave a transaction open: end it before the client is reused
        await client.query('ROLLBACK').catch(() => undefined);
        client.release();
      }
      throw postgresError(err, what, this.config.displayUrl);
    }
  }

  /** One statement on any pooled connection. */
  query<R extends pg.QueryResultRow>(query: pg.QueryConfig<unknown[]>): Promise<pg.QueryResult<R>> {
    return this.pool.query<R>(query);
  }

  end(): Promise<void> {
    return this.pool.end();
  }
}
