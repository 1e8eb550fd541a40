// Search benchmark: a FileLog of >= 1,000,000 events over 30 days on 2 auth servers (generated
// once into .bench-cache/), timed and measured (peak RSS) in a child process per case:
//   node --import tsx bench/search.ts [--events N] [--days D]
// The lead's bench/run.ts can call runSearchBench().
import { execFileSync } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { once } from 'node:events';
import { cpus } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { FileLog } from '../lib/auditlog/file-log.js';
import { logFileName } from '../lib/auditlog/file-time.js';
import { marshalEventJson } from '../lib/events/event-json.js';
import { Timestamp } from '../lib/events/timestamp.js';

const ROOT = resolve(fileURLToPath(new URL('..', import.meta.url)));
const START = Date.UTC(2026, 0, 1);
const DAY = 86_400_000;
const SERVERS = ['auth-1', 'auth-2'];

export interface SearchBenchOptions {
  events?: number;
  days?: number;
  cacheDir?: string;
  log?: (line: string) => void;
}

export interface SearchBenchRow {
  case: string;
  ms: number;
  events: number;
  bytesRead: number;
  filesOpened: number;
  peakRssMiB: number;
}

/** Event templates made by marshalEventJson, with placeholders swapped per event. */
function templates(): ((t: string, i: number) => string)[] {
  const T = '2000-01-01T00:00:00.123Z';
  const mk = (event: Record<string, unknown>) => {
    const line = marshalEventJson(event as never);
    const parts = line.split(/(@@TIME@@|@@I@@)/);
    return (t: string, i: number) => parts.map((p) => (p === '@@TIME@@' ? t : p === '@@I@@' ? String(i) : p)).join('');
  };
  const meta = (type: string, code: string) => ({ Type: type, Code: code, ID: 'id-@@I@@', Time: Timestamp.parse(T) });
  const fix = (f: (t: string, i: number) => string) => (t: string, i: number) => f(t, i).replace(T, t);
  return [
    fix(mk({ $type: 'UserLogin', Metadata: meta('user.login', 'T1000I'), User: { User: 'user-@@I@@' }, Status: { Success: true }, Method: 'saml', Connection: { RemoteAddr: '10.0.0.1:5000' } })),
    fix(mk({ $type: 'SessionStart', Metadata: meta('session.start', 'T2000I'), User: { User: 'user-@@I@@', Login: 'root' }, Session: { SessionID: 'sess-@@I@@' }, Server: { ServerID: 'node-1', ServerHostname: 'planet', ServerNamespace: 'default' }, Connection: { LocalAddr: '127.0.0.1:3022', RemoteAddr: '[::1]:37718', Protocol: 'ssh' }, TerminalSize: '80:25' })),
    fix(mk({ $type: 'Exec', Metadata: meta('exec', 'T3002I'), User: { User: 'user-@@I@@', Login: 'root' }, Session: { SessionID: 'sess-@@I@@' }, Command: 'ls -la /var/lib/teleport && cat /etc/hostname', Server: { ServerID: 'node-1' } })),
    fix(mk({ $type: 'SessionEnd', Metadata: meta('session.end', 'T2004I'), User: { User: 'user-@@I@@' }, Session: { SessionID: 'sess-@@I@@' }, Participants: ['user-@@I@@'], Interactive: true })),
  ];
}

/** Writes the log once; returns its data dir (with log/<server>/ day files). */
export async function generateSearchLog(events: number, days: number, cacheDir: string): Promise<{ dir: string; lastId: string }> {
  const dir = join(cacheDir, `search-log-${events}-${days}`);
  const marker = join(dir, 'COMPLETE');
  if (existsSync(marker)) return JSON.parse(readFileSync(marker, 'utf8'));
  rmSync(dir, { recursive: true, force: true });
  const make = templates();
  const perDay = Math.ceil(events / days);
  let i = 0;
  let lastId = '';
  for (let d = 0; d < days && i < events; d++) {
    const outs = SERVERS.map((s) => {
      mkdirSync(join(dir, 'log', s), { recursive: true });
      return createWriteStream(join(dir, 'log', s, logFileName(START + d * DAY)));
    });
    const batches: string[][] = SERVERS.map(() => []);
    for (let k = 0; k < perDay && i < events; k++, i++) {
      const t = new Timestamp(Math.floor((START + d * DAY) / 1000) + Math.floor((k * 86_400) / perDay), (k * 7919 % 1000) * 1_000_000).toISOString();
      const kind = k % 20 === 0 ? 3 : k % 20 === 1 ? 1 : k % 3 === 0 ? 2 : 0;
      const server = k % SERVERS.length;
      batches[server].push(make[kind](t, i));
      lastId = `id-${i}`;
      if (batches[server].length >= 2000) {
        if (!outs[server].write(`${batches[server].join('\n')}\n`)) await once(outs[server], 'drain');
        batches[server] = [];
      }
    }
    for (const [s, out] of outs.entries()) {
      if (batches[s].length) out.write(`${batches[s].join('\n')}\n`);
      out.end();
      await once(out, 'close');
    }
  }
  const info = { dir, lastId };
  writeFileSync(marker, JSON.stringify(info));
  return info;
}

type Case = 'first-page-asc' | 'first-page-desc' | 'first-page-mid-month' | 'session-search' | 'resume-at-end' | 'page-through-10x10k';

async function runCase(dir: string, lastId: string, days: number, which: Case): Promise<Omit<SearchBenchRow, 'peakRssMiB'>> {
  const log = new FileLog({
    dir: join(dir, 'log', SERVERS[0]),
    searchDirs: () => SERVERS.map((s) => join(dir, 'log', s)),
  });
  const from = START;
  const to = START + days * DAY;
  const t0 = performance.now();
  let r;
  switch (which) {
    case 'first-page-asc': r = await log.searchEvents({ from, to, limit: 500, order: 'asc' }); break;
    case 'first-page-desc': r = await log.searchEvents({ from, to, limit: 500, order: 'desc' }); break;
    case 'session-search': r = await log.searchSessionEvents({ from, to, limit: 100, sessionId: 'no-such-session' }); break;
    case 'first-page-mid-month': r = await log.searchEvents({ from: from + 15 * DAY, to, limit: 500, order: 'asc' }); break;
    case 'resume-at-end': r = await log.searchEvents({ from, to, limit: 10_000, startKey: lastId }); break;
    case 'page-through-10x10k': {
      // ten consecutive pages of 10,000; the later ones resume from the remembered position
      let key = '';
      let events = 0;
      let bytesRead = 0;
      let filesOpened = 0;
      for (let page = 0; page < 10; page++) {
        const p = await log.searchEvents({ from, to, limit: 10_000, startKey: key });
        events += p.events.length;
        bytesRead += p.stats!.bytesRead;
        filesOpened += p.stats!.filesOpened;
        key = p.lastKey;
      }
      r = { events: { length: events }, stats: { bytesRead, filesOpened } } as never;
      break;
    }
  }
  const ms = performance.now() - t0;
  return { case: which, ms, events: r.events.length, bytesRead: r.stats!.bytesRead, filesOpened: r.stats!.filesOpened };
}

/** Runs each case in its own child process; returns one row per case. */
export async function runSearchBench(options: SearchBenchOptions = {}): Promise<SearchBenchRow[]> {
  const events = options.events ?? 1_000_000;
  const days = options.days ?? 30;
  const cacheDir = options.cacheDir ?? join(ROOT, '.bench-cache');
  const say = options.log ?? ((l: string) => console.log(l));
  const g0 = performance.now();
  const { dir, lastId } = await generateSearchLog(events, days, cacheDir);
  say(`log: ${events} events, ${days} days, ${SERVERS.length} servers in ${dir} (ready in ${((performance.now() - g0) / 1000).toFixed(1)} s)`);
  const rows: SearchBenchRow[] = [];
  for (const which of ['first-page-asc', 'first-page-desc', 'first-page-mid-month', 'session-search', 'resume-at-end', 'page-through-10x10k'] as Case[]) {
    const out = execFileSync(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), '--child', which, dir, lastId, String(days)], { cwd: ROOT, encoding: 'utf8', maxBuffer: 1 << 20 });
    rows.push(JSON.parse(out.trim().split('\n').pop()!));
  }
  say(`node ${process.version}, ${cpus()[0]?.model ?? 'cpu'} x${cpus().length}, ${new Date().toISOString()}`);
  say('| case | time (ms) | events returned | bytes read | files opened | peak RSS (MiB) |');
  say('|---|---:|---:|---:|---:|---:|');
  for (const r of rows) say(`| ${r.case} | ${r.ms.toFixed(1)} | ${r.events} | ${r.bytesRead} | ${r.filesOpened} | ${r.peakRssMiB.toFixed(1)} |`);
  return rows;
}

async function child(which: Case, dir: string, lastId: string, days: number): Promise<void> {
  const row = await runCase(dir, lastId, days, which);
  const peakRssMiB = process.resourceUsage().maxRSS / 1024;
  process.stdout.write(`${JSON.stringify({ ...row, peakRssMiB })}\n`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const args = process.argv.slice(2);
  if (args[0] === '--child') {
    await child(args[1] as Case, args[2], args[3], Number(args[4]));
  } else {
    const opt = (name: string) => {
      const i = args.indexOf(name);
      return i >= 0 ? Number(args[i + 1]) : undefined;
    };
    await runSearchBench({ events: opt('--events'), days: opt('--days') });
  }
}
