// Indexes one recording the way `auditcast index` does (the compiled dist/, no TypeScript loader in
// the process), for its time and peak RSS: prints a progress line to stderr every ~10 s (bytes of
// the file read, RSS so far) and one JSON line to stdout at the end.
// Usage: node bench/index-child.mjs FILE INDEX_DIR   (needs dist/: npx tsc -p tsconfig.build.json)
import { readFileSync, statSync } from 'node:fs';
import { RecordingIndex } from '../dist/index-store/recording-index.js';

const [file, dir] = process.argv.slice(2);
const size = statSync(file).size;
const hwm = () => {
  const line = readFileSync('/proc/self/status', 'utf8').split('\n').find((l) => l.startsWith('VmHWM:'));
  return line ? Number(line.split(/\s+/)[1]) / 1024 : process.resourceUsage().maxRSS / 1024;
};
const index = new RecordingIndex({ dir });
const t0 = performance.now();
let last = t0;
const result = await index.indexRecording('big', file, {
  onProgress: (offset) => {
    const now = performance.now();
    if (now - last < 10_000) return;
    last = now;
    const cpu = process.cpuUsage();
    process.stderr.write(`[${((now - t0) / 1000).toFixed(0)} s, ${((cpu.user + cpu.system) / 1e6).toFixed(0)} s CPU] ${(offset / 1e6).toFixed(0)} of ${(size / 1e6).toFixed(0)} MB of the file, peak RSS ${hwm().toFixed(0)} MiB\n`);
  },
});
const ms = performance.now() - t0;
const cpu = process.cpuUsage();
await index.close();
process.stdout.write(JSON.stringify({ ms, cpuMs: (cpu.user + cpu.system) / 1000, maxRssMiB: hwm(), outputBytes: result.header.outputBytes, keyframes: result.header.keyframes.length, lines: result.lines }));
