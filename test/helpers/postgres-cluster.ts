// A throwaway PostgreSQL 15 cluster for the tests and the benchmark: initdb into a temp dir, started
// with pg_ctl on 127.0.0.1 and a free port (as the `postgres` user when we are root, since the
// server refuses to run as root), removed by stop(). Password auth over TCP, so a wrong password
// is a real failure.
import { execFile } from 'node:child_process';
import { chmodSync, chownSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';

const run = promisify(execFile);
const BIN = process.env.AUDITCAST_PG_BIN ?? '/usr/lib/postgresql/15/bin';
export const SUPERUSER_PASSWORD = 'auditcast-test-secret';

export interface PostgresCluster {
  port: number;
  dir: string;
  /** URL of a database as the superuser. */
  url(database?: string, user?: string, password?: string): string;
  /** Creates a database (and returns its URL as the superuser). */
  createDatabase(name: string): Promise<string>;
  /** Runs SQL as the superuser on a database. */
  sql<R extends pg.QueryResultRow = pg.QueryResultRow>(database: string, text: string, params?: unknown[]): Promise<pg.QueryResult<R>>;
  /** A connected client as the superuser (the caller ends it). */
  connect(database: string): Promise<pg.Client>;
  /** Stops the server (fast shutdown: open connections are cut) and starts it again on the same port. */
  restart(downMs?: number): Promise<void>;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

interface PgUser {
  uid: number;
  gid: number;
}

async function postgresUser(): Promise<PgUser | null> {
  if (process.getuid?.() !== 0) return null;
  const { stdout } = await run('id', ['-u', 'postgres']);
  const { stdout: gid } = await run('id', ['-g', 'postgres']);
  return { uid: Number(stdout.trim()), gid: Number(gid.trim()) };
}

export interface ClusterOptions {
  /** Extra server settings (-c name=value). */
  settings?: Record<string, string>;
}

export async function startPostgres(options: ClusterOptions = {}): Promise<PostgresCluster> {
  const dir = mkdtempSync(join(tmpdir(), 'auditcast-pg-'));
  const data = join(dir, 'data');
  const user = await postgresUser();
  const asPostgres = (file: string, args: string[]) =>
    user ? run('runuser', ['-u', 'postgres', '--', file, ...args], { cwd: dir }) : run(file, args, { cwd: dir });
  chmodSync(dir, 0o700);
  const pwfile = join(dir, 'pwfile');
  writeFileSync(pwfile, `${SUPERUSER_PASSWORD}\n`);
  if (user) {
    chownSync(dir, user.uid, user.gid);
    chownSync(pwfile, user.uid, user.gid);
  }
  await asPostgres(join(BIN, 'initdb'), ['-D', data, '-U', 'postgres', '--pwfile', pwfile, '--auth-local=trust', '--auth-host=scram-sha-256', '-E', 'UTF8', '--locale=C.UTF-8', '--no-sync']);
  const port = await freePort();
  const settings: Record<string, string> = {
    listen_addresses: '127.0.0.1',
    port: String(port),
    unix_socket_directories: dir,
    max_connections: '200',
    fsync: 'off', // a throwaway cluster: durability across a machine crash does not matter here
    full_page_writes: 'off',
    ...options.settings,
  };
  const serverOptions = Object.entries(settings).map(([k, v]) => `-c ${k}=${v}`).join(' ');
  const pgCtl = (...args: string[]) => asPostgres(join(BIN, 'pg_ctl'), ['-D', data, '-l', join(dir, 'server.log'), '-w', '-t', '60', ...args]);
  await pgCtl('-o', serverOptions, 'start');

  const url = (database = 'postgres', name = 'postgres', password = SUPERUSER_PASSWORD) =>
    `postgres://${encodeURIComponent(name)}:${encodeURIComponent(password)}@127.0.0.1:${port}/${encodeURIComponent(database)}`;
  const connect = async (database: string) => {
    const client = new pg.Client({ connectionString: url(database) });
    await client.connect();
    return client;
  };
  const sql = async <R extends pg.QueryResultRow>(database: string, text: string, params?: unknown[]) => {
    const client = await connect(database);
    try {
      return await client.query<R>(text, params);
    } finally {
      await client.end();
    }
  };
  let stopped = false;
  return {
    port,
    dir,
    url,
    sql,
    connect,
    async createDatabase(name) {
      await sql('postgres', `CREATE DATABASE "${name.replace(/"/g, '""')}"`);
      return url(name);
    },
    async restart(downMs = 0) {
      await pgCtl('-m', 'fast', 'stop');
      if (downMs > 0) await new Promise((r) => setTimeout(r, downMs));
      await pgCtl('-o', serverOptions, 'start');
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      await pgCtl('-m', 'immediate', 'stop').catch(() => undefined);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
