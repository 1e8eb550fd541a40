// Child process of bench/user-write.ts: SESSIONS concurrent SessionWriters writing BYTES one-byte
// prints each into parts of PART_BYTES (optional; see write-drivers.mjs), on dist/; prints one JSON line with events/s (wall and CPU time) and this
// process's peak RSS. AUDITCAST_FORCE_JS picks the backend as everywhere.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { countingUploader, manySessions } from './write-drivers.mjs';

const dist = join(import.meta.dirname, '..', 'dist');
const { SessionWriter } = await import(join(dist, 'emitters', 'session-writer.js'));
const { ProtoStreamer } = await import(join(dist, 'stream', 'proto-streamer.js'));
const { MemoryUploader } = await import(join(dist, 'uploads', 'memory-uploader.js'));
const { backend } = await import(join(dist, 'codec', 'index.js'));

const [sessions, bytesPerSession, minUploadBytes] = process.argv.slice(2).map(Number);
const typing = readFileSync(join(import.meta.dirname, '..', '..', 'shared', 'corpus', 'typing.typescript'));
const text = typing.subarray(typing.indexOf(0x0a) + 1);
const uploader = countingUploader(MemoryUploader);
const started = process.hrtime.bigint();
const cpu = process.cpuUsage();
const result = await manySessions({ SessionWriter, ProtoStreamer }, { sessions, bytesPerSession, text, uploader, minUploadBytes });
const ms = Number(process.hrtime.bigint() - started) / 1e6;
const used = process.cpuUsage(cpu);
const cpuMs = (used.user + used.system) / 1000;
console.log(JSON.stringify({
  backend, sessions, events: result.events, lost: result.lost, ms: Math.round(ms), eventsPerS: Math.round(result.events / (ms / 1000)), cpuMs: Math.round(cpuMs), eventsPerCpuS: Math.round(result.events / (cpuMs / 1000)),
  recordedBytes: uploader.bytes, parts: uploader.parts, peakRssMiB: Math.round(process.resourceUsage().maxRSS / 1024),
}));
