// `auditcast serve`: the HTTP(S) server of the console. Order of checks on every request: Host
// header, method (read-only), token or cookie, then the route. Pages are one static HTML file that
// loads our bundled script; the API answers JSON (NDJSON for a recording's stream).
import { once } from 'node:events';
import { createReadStream, existsSync, promises as fsp } from 'node:fs';
import * as http from 'node:http';
import * as https from 'node:https';
import type { AddressInfo } from 'node:net';
import { extname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AuditcastError, badParameter } from '../errors.js';
import { SearchEventsLimiter } from '../auditlog/search-limiter.js';
import type { EventSearcher } from '../auditlog/search-types.js';
import {
  type ApiContext, getEventApi, grepApi, keyframeApi, outlineApi, previewApi, progressApi, searchEventsApi, sessionHeadApi, sessionsApi, streamFrames,
} from './api.js';
import type { RecordingStore } from './recordings.js';
import type { ScreenSource } from './screen-source.js';
import {
  SECURITY_HEADERS, allowedHostHeaders, checkToken, generateToken, isLoopbackHost, readCookie, secretsEqual, sessionCookie,
} from './security.js';

export interface ConsoleServerOptions {
  /** host:port (default 127.0.0.1:7878; port 0 picks a free one). */
  listen?: string;
  /** The access token (default: a new random one). */
  token?: string;
  log: EventSearcher;
  recordings: RecordingStore;
  screen?: ScreenSource | null;
  /** PEM certificate and key: serve HTTPS. */
  tls?: { cert: string | Buffer; key: string | Buffer };
  /** Allow plain HTTP on a non-loopback address. */
  insecure?: boolean;
  /** More Host header names to accept (a reverse proxy's name). */
  allowedHosts?: readonly string[];
  /** Search rate limit (SearchEventsLimiter): default 20 at once, 10 more each second. */
  searchLimit?: { burst: number; refillAmount: number; refillTimeMs: number };
  /** Directory of the built web app (default: dist/web). */
  staticDir?: string;
  clock?: () => number;
}

export interface ConsoleServer {
  /** Base URL (without the token). */
  url: string;
  /** URL that logs the browser in: url + '/?token=...'. */
  loginUrl: string;
  token: string;
  close(): Promise<void>;
}

const MAX_COOKIES = 256;
const STREAM_BATCH_CHARS = 64 * 1024;
const STREAM_BATCH_MS = 20;
const PAGE = /^\/(?:|audit|sessions|search|sessions\/[A-Za-z0-9_-]{1,128})$/;
const SESSION_ROUTE = /^\/api\/sessions\/([^/]{1,200})(?:\/(stream|keyframe|preview|outline|progress))?$/;
const CONTENT_TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8', '.html': 'text/html; charset=utf-8',
  '.map': 'application/json', '.png': 'image/png', '.svg': 'image/svg+xml', '.woff2': 'font/woff2',
};

export function defaultStaticDir(): string {
  const here = fileURLToPath(new URL('.', import.meta.url));
  for (const dir of [join(here, '..', 'web'), join(here, '..', '..', 'dist', 'web')]) if (existsSync(join(dir, 'index.html'))) return dir;
  return join(here, '..', '..', 'dist', 'web');
}

export function parseListen(listen: string): { host: string; port: number } {
  const m = /^(?:\[([0-9a-fA-F:.]+)\]|([^:[\]]+)):(\d{1,5})$/.exec(listen);
  const port = m ? Number(m[3]) : NaN;
  if (!m || port > 65535) throw badParameter(`--listen must be HOST:PORT (IPv6 as [::1]:PORT), got ${JSON.stringify(listen)}`);
  return { host: m[1] ?? m[2]!, port };
}

function statusOf(err: unknown): number {
  if (!(err instanceof AuditcastError)) return 500;
  switch (err.code) {
    case 'BAD_PARAMETER': return 400;
    case 'NOT_FOUND': return 404;
    case 'LIMIT_EXCEEDED': return 429;
    case 'UNSUPPORTED': return 501;
    // A recording that cannot be read: the same words as `auditcast verify`, not "internal error".
    case 'CORRUPTED': return 422;
    default: return 500;
  }
}

/** A recording's path (its store's directory, a cache...) is the server's business: <session-id>.tar is enough. */
function hideDirectories(message: string): string {
  return message.replace(/(?:\/[^\s/:'"]+)*\/([^\s/:'"]+\.tar)\b/g, '$1');
}

export async function startConsoleServer(options: ConsoleServerOptions): Promise<ConsoleServer> {
  const { host, port } = parseListen(options.listen ?? '127.0.0.1:7878');
  if (!isLoopbackHost(host) && !options.tls && !options.insecure) {
    throw badParameter(`refusing to serve audit data on ${host} without TLS: give --tls-cert and --tls-key, or --insecure`);
  }
  const token = options.token === undefined ? generateToken() : checkToken(options.token, 'token');
  const limit = options.searchLimit ?? { burst: 20, refillAmount: 10, refillTimeMs: 1000 };
  const ctx: ApiContext = {
    limited: new SearchEventsLimiter({ searcher: options.log, ...limit }),
    log: options.log,
    recordings: options.recordings,
    screen: options.screen ?? null,
    clock: options.clock ?? Date.now,
  };
  const staticDir = resolve(options.staticDir ?? defaultStaticDir());
  const secure = Boolean(options.tls);
  /** Cookie values handed out for the token (each exchange makes a new one). */
  const cookies = new Set<string>();
  let allowedHosts = new Set<string>();

  function send(res: http.ServerResponse, status: number, body: string, type: string, extra: Record<string, string> = {}): void {
    res.writeHead(status, { ...SECURITY_HEADERS, 'Content-Type': type, 'Content-Length': Buffer.byteLength(body), ...extra });
    res.end(body);
  }
  function sendJson(res: http.ServerResponse, status: number, value: unknown): void {
    send(res, status, JSON.stringify(value), 'application/json; charset=utf-8');
  }
  function sendError(res: http.ServerResponse, err: unknown): void {
    const status = statusOf(err);
    // Internal errors keep their details (paths, stacks) on the server.
    const message = status === 500 ? 'internal error' : hideDirectories((err as Error).message);
    if (status === 500) process.stderr.write(`auditcast serve: ${(err as Error)?.stack ?? String(err)}\n`);
    if (res.headersSent) {
      res.destroy();
      return;
    }
    sendJson(res, status, { error: { code: err instanceof AuditcastError ? err.code : 'INTERNAL', message } });
  }

  function authorized(req: http.IncomingMessage): boolean {
    const cookie = readCookie(req.headers.cookie);
    if (cookie && cookies.has(cookie)) return true;
    const auth = req.headers.authorization;
    return typeof auth === 'string' && auth.startsWith('Bearer ') && secretsEqual(auth.slice(7), token);
  }

  /** The app's own files: the browser keeps them and asks whether they changed (ETag), never audit data. */
  async function serveStatic(req: http.IncomingMessage, res: http.ServerResponse, file: string): Promise<void> {
    const path = join(staticDir, file);
    let size: number;
    let etag: string;
    try {
      const st = await fsp.stat(path);
      if (!st.isFile()) throw new Error('not a file');
      size = st.size;
      etag = `"${st.size.toString(36)}-${Math.floor(st.mtimeMs).toString(36)}"`;
    } catch {
      send(res, 404, 'not found\n', 'text/plain; charset=utf-8');
      return;
    }
    const headers = { ...SECURITY_HEADERS, 'Cache-Control': 'no-cache', ETag: etag };
    if (req.headers['if-none-match'] === etag) {
      res.writeHead(304, headers);
      res.end();
      return;
    }
    res.writeHead(200, { ...headers, 'Content-Type': CONTENT_TYPES[extname(file)] ?? 'application/octet-stream', 'Content-Length': size });
    if (req.method === 'HEAD') {
      res.end();
      return;
    }
    createReadStream(path).pipe(res);
  }

  async function route(req: http.IncomingMessage, res: http.ServerResponse, url: URL, signal: AbortSignal): Promise<void> {
    const path = url.pathname;
    const q = url.searchParams;
    if (path === '/api/events') return sendJson(res, 200, await searchEventsApi(ctx, q, signal));
    if (path === '/api/event') return sendJson(res, 200, await getEventApi(ctx, q, signal));
    if (path === '/api/sessions') return sendJson(res, 200, await sessionsApi(ctx, q, signal));
    if (path === '/api/grep') return sendJson(res, 200, await grepApi(ctx, q, signal));
    const session = SESSION_ROUTE.exec(path);
    if (session) {
      const sid = decodeURIComponent(session[1]!);
      if (session[2] === 'keyframe') return sendJson(res, 200, await keyframeApi(ctx, sid, q, signal));
      if (session[2] === 'preview') return sendJson(res, 200, await previewApi(ctx, sid, q, signal));
      if (session[2] === 'outline') return sendJson(res, 200, await outlineApi(ctx, sid, q, signal));
      if (session[2] === 'progress') return sendJson(res, 200, await progressApi(ctx, sid, q, signal));
      if (session[2] === 'stream') {
        const frames = await streamFrames(ctx, sid, q, signal);
        res.writeHead(200, { ...SECURITY_HEADERS, 'Content-Type': 'application/x-ndjson; charset=utf-8' });
        try {
          // Frames go out in batches (one write per frame cost more than reading the file), at
          // most STREAM_BATCH_MS late. The socket's buffer is the window: a browser that stops
          // reading stops the file reads.
          let batch = '';
          let since = 0;
          for await (const frame of frames) {
            if (batch === '') since = performance.now();
            batch += `${JSON.stringify(frame)}\n`;
            if (batch.length < STREAM_BATCH_CHARS && performance.now() - since < STREAM_BATCH_MS) continue;
            const more = res.write(batch);
            batch = '';
            if (!more) await once(res, 'drain', { signal });
          }
          res.end(batch);
        } catch (err) {
          if (!signal.aborted) sendError(res, err);
        }
        return;
      }
      return sendJson(res, 200, await sessionHeadApi(ctx, sid, q, signal));
    }
    if (path.startsWith('/api/')) return sendJson(res, 404, { error: { code: 'NOT_FOUND', message: 'no such API' } });
    if (path.startsWith('/assets/') && /^\/assets\/[A-Za-z0-9_-]{1,64}\.(?:js|css|map|png|svg|woff2)$/.test(path)) {
      return serveStatic(req, res, path.slice(1));
    }
    if (PAGE.test(path)) return serveStatic(req, res, 'index.html');
    send(res, 404, 'not found\n', 'text/plain; charset=utf-8');
  }

  async function handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const hostHeader = (req.headers.host ?? '').toLowerCase();
    if (!allowedHosts.has(hostHeader)) {
      send(res, 421, 'this console answers only to the address it listens on\n', 'text/plain; charset=utf-8');
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      send(res, 405, 'read-only\n', 'text/plain; charset=utf-8', { Allow: 'GET, HEAD' });
      return;
    }
    let url: URL;
    try {
      url = new URL(req.url ?? '/', 'http://console.invalid');
    } catch {
      send(res, 400, 'bad request\n', 'text/plain; charset=utf-8');
      return;
    }
    const given = url.searchParams.get('token');
    if (given !== null) {
      if (!secretsEqual(given, token)) {
        send(res, 401, 'wrong token\n', 'text/plain; charset=utf-8');
        return;
      }
      const value = generateToken();
      cookies.add(value);
      if (cookies.size > MAX_COOKIES) cookies.delete(cookies.values().next().value!);
      url.searchParams.delete('token');
      const location = PAGE.test(url.pathname) ? `${url.pathname}${url.search}` : '/';
      send(res, 303, '', 'text/plain; charset=utf-8', { Location: location, 'Set-Cookie': sessionCookie(value, secure) });
      return;
    }
    if (!authorized(req)) {
      if (url.pathname.startsWith('/api/')) sendJson(res, 401, { error: { code: 'ACCESS_DENIED', message: 'open the URL with the token that auditcast serve printed' } });
      else send(res, 401, 'auditcast console: open the URL with the token that `auditcast serve` printed.\n', 'text/plain; charset=utf-8');
      return;
    }
    const abort = new AbortController();
    res.on('close', () => abort.abort());
    try {
      await route(req, res, url, abort.signal);
    } catch (err) {
      if (!abort.signal.aborted) sendError(res, err);
    }
  }

  const listener = (req: http.IncomingMessage, res: http.ServerResponse) => void handle(req, res);
  const server = options.tls ? https.createServer({ cert: options.tls.cert, key: options.tls.key }, listener) : http.createServer(listener);
  server.listen(port, host);
  await once(server, 'listening');
  const actualPort = (server.address() as AddressInfo).port;
  allowedHosts = allowedHostHeaders(host, actualPort, options.allowedHosts);
  const shownHost = host.includes(':') ? `[${host}]` : host;
  const url = `${secure ? 'https' : 'http'}://${shownHost}:${actualPort}`;
  return {
    url,
    loginUrl: `${url}/?token=${token}`,
    token,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((done) => server.close(() => done()));
    },
  };
}
