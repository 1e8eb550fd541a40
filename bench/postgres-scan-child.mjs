// Child of bench/postgres.ts: pages through every event of the database at URL with PostgresLog
// (LIMIT events per page) in a process of its own, on the compiled library (dist/, no TS loader),
// so its peak RSS is the client's alone. Started through a shell that forks: a child exec'd
// straight from a big process inherits that process's maxRSS on Linux, so VmHWM is read too.
// Usage: node bench/postgres-scan-child.mjs URL [LIMIT]   (after npm run build:ts)
// Prints {events, pages, ms, maxRssMiB, vmHwmMiB}.
import { readFileSync } from 'node:fs';

const { PostgresLog } = await import('../dist/auditlog/postgres-log.js');
const [url, limitText = '10000'] = process.argv.slice(2);
const limit = Number(limitText);
const log = await PostgresLog.open({ url, cleanup: false });
const started = performance.now();
let events = 0;
let pages = 0;
let startKey;
do {
  const page = await log.searchEvents({ from: new Date(0), to: new Date('2100-01-01T00:00:00Z'), limit, startKey });
  events += page.events.length;
  pages++;
  startKey = page.lastKey || undefined;
} while (startKey);
const ms = performance.now() - started;
await log.close();
const hwm = /VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'));
process.stdout.write(`${JSON.stringify({ events, pages, ms, maxRssMiB: process.resourceUsage().maxRSS / 1024, vmHwmMiB: hwm ? Number(hwm[1]) / 1024 : null })}\n`);
