// Reads a recording with ProtoReader (default options) from a file stream on the compiled library
// (dist/, no TS loader in the process) and prints JSON: the error code if the read failed, the
// events read and the peak RSS (VmHWM). Started through a forking shell by the tests, because on
// Linux a child exec'd straight from a big process inherits that process's maxRSS.
// Usage: node test/helpers/read-peak-rss.mjs FILE
import { createReadStream, readFileSync } from 'node:fs';

const { codec } = await import('../../dist/codec/index.js');
const { ProtoReader } = await import('../../dist/stream/index.js');
const reader = new ProtoReader(createReadStream(process.argv[2]));
let events = 0;
let code = null;
try {
  for await (const _ of reader) events++;
} catch (err) {
  code = err.code ?? `uncoded ${err.name}: ${err.message}`;
}
const hwm = Number(/VmHWM:\s+(\d+)/.exec(readFileSync('/proc/self/status', 'utf8'))[1]);
console.log(JSON.stringify({ backend: codec.backend, code, events, peakRssMiB: Math.round(hwm / 1024) }));
