// Child of bench/postgres.ts: pages through every event of the database at URL with PostgresLog
// (LIMIT events per page) in a process of its own, so its peak RSS is the client's alone.
// Prints {events, pages, ms, maxRssMiB}.
import { PostgresLog } from '../lib/auditlog/postgres-log.js';

const [url, limitText = '10000'] = process.argv.slice(2);
const limit = Number(limitText);
const log = await PostgresLog.open({ url: url!, cleanup: false });
const started = performance.now();
let events = 0;
let pages = 0;
let startKey: string | undefined;
do {
  const page = await log.searchEvents({ from: new Date(0), to: new Date('2100-01-01T00:00:00Z'), limit, startKey });
  events += page.events.length;
  pages++;
  startKey = page.lastKey || undefined;
} while (startKey);
const ms = performance.now() - started;
await log.close();
process.stdout.write(`${JSON.stringify({ events, pages, ms, maxRssMiB: process.resourceUsage().maxRSS / 1024 })}\n`);
