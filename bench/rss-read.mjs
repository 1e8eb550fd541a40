// Reads a recording with ProtoReader from a file stream, on the compiled library (dist/, no TS
// loader in the process), and prints as JSON what it read and its peak RSS:
// process.resourceUsage().maxRSS and /proc's VmHWM. bench/run.ts starts it through a shell that
// forks, because on Linux a child exec'd straight from a big process inherits that process's maxRSS.
// Usage: node bench/rss-read.mjs FILE [copy|views]   (after npm run build:ts)
// copy: ProtoReader's default (events own their data, parts are freed at once); views: copyData false.
import { createReadStream, readFileSync, statSync } from 'node:fs';

const file = process.argv[2];
const mode = process.argv[3] ?? 'copy';
const { codec } = await import('../dist/codec/index.js');
const { ProtoReader } = await import('../dist/stream/index.js');
const baselineMiB = Math.round(process.resourceUsage().maxRSS / 1024);
const reader = new ProtoReader(createReadStream(file, { highWaterMark: 1 << 20 }), { codec, copyData: mode !== 'views' });
let events = 0;
let dataBytes = 0;
const started = Date.now();
for await (const event of reader) {
  events++;
  dataBytes += event.Data.length;
}
const hwm = /VmHWM:\s+(\d+)/.exec(readFileSync('/proc/self/status', 'utf8'))?.[1];
console.log(JSON.stringify({
  backend: codec.backend,
  mode,
  fileBytes: statSync(file).size,
  parts: reader.stats.parts,
  eventsDecoded: reader.stats.totalEvents,
  eventsReturned: events,
  skippedDuplicateIndexes: reader.stats.skippedEvents,
  dataBytes,
  seconds: (Date.now() - started) / 1000,
  baselineMiB,
  maxRssMiB: Math.round(process.resourceUsage().maxRSS / 1024),
  vmHwmMiB: hwm ? Math.round(Number(hwm) / 1024) : null,
}));
