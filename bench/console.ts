// npx tsx bench/console.ts [--mb N] [--events N] [--browsers N]
// The web console with the real browser (Debian's Chromium) against `auditcast serve` in a child
// process: first frame and seek latency on a large recording (the build corpus repeated, indexed
// first), the server's peak RSS (VmHWM) while several pages play different recordings at 16x, and
// the audit page's first page on a large log. Prints one table; numbers are wall-clock medians.
import { spawn } from 'node:child_process';
import { appendFileSync, copyFileSync, readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { logFileName } from '../lib/auditlog/file-time.js';
import { RecordingIndex } from '../lib/index-store/recording-index.js';
import { buildWebApp, launchChromium } from '../test/console/browser.js';
import { makeConsoleData } from '../test/console/console-fixture.js';
import { writeLargeRecording } from '../test/console/large-recording.js';

const { values } = parseArgs({ options: { mb: { type: 'string' }, events: { type: 'string' }, browsers: { type: 'string' } } });
const MB = Number(values.mb ?? 64);
const EVENTS = Number(values.events ?? 200_000);
const BROWSERS = Number(values.browsers ?? 3);
const ROOT = join(import.meta.dirname, '..');
const TOKEN = 'bench-token-0123456789abcdef';
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

buildWebApp();
const data = await makeConsoleData();
const sids = Array.from({ length: BROWSERS }, (_, i) => `b16b16b1-0000-4000-8000-${String(i + 1).padStart(12, '0')}`);
const large = await writeLargeRecording(data.recordsDir, sids[0]!, MB * 1024 * 1024);
for (const sid of sids.slice(1)) copyFileSync(large.path, join(data.recordsDir, `${sid}.tar`));
const index = new RecordingIndex({ dir: join(data.root, 'index') });
let started = Date.now();
for (const sid of sids) await index.indexRecording(sid, join(data.recordsDir, `${sid}.tar`));
const indexMs = Date.now() - started;
index.close();

// A large audit log: EVENTS logins over 30 days, one line each, in daily files.
const day0 = Date.UTC(2026, 5, 1);
let lines: string[] = [];
let file = '';
for (let i = 0; i < EVENTS; i++) {
  const ms = day0 + Math.floor((i * 30 * 86_400_000) / EVENTS);
  const name = logFileName(ms);
  if (name !== file && lines.length) {
    appendFileSync(join(data.logDir, file), lines.join(''));
    lines = [];
  }
  file = name;
  lines.push(`${JSON.stringify({ ei: 0, event: 'user.login', uid: `u-${i}`, code: 'T1000I', time: new Date(ms).toISOString(), user: `user${i % 97}`, method: 'local', success: true })}\n`);
}
if (lines.length) appendFileSync(join(data.logDir, file), lines.join(''));

const server = spawn(process.execPath, [join(ROOT, 'bin', 'auditcast.js'), 'serve', '--data-dir', data.root, '--listen', '127.0.0.1:0', '--token', TOKEN], { stdio: ['ignore', 'pipe', 'inherit'] });
const url = await new Promise<string>((resolve, reject) => {
  let out = '';
  server.stdout.on('data', (c: Buffer) => {
    out += c.toString();
    const m = /console at (http:\/\/\S+)/.exec(out);
    if (m) resolve(m[1]!);
  });
  server.on('exit', (code) => reject(new Error(`serve exited with ${code}`)));
});
const peakRss = () => Number(/VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${server.pid}/status`, 'utf8'))![1]) / 1024;

const { browser, close } = await launchChromium();
const rows: [string, string][] = [];
try {
  const page = await browser.newPage();
  await page.goto(`${url}/?token=${TOKEN}`);
  const auditMs: number[] = [];
  for (let i = 0; i < 5; i++) {
    started = Date.now();
    await page.goto(`${url}/audit`);
    await page.waitForSelector('#audit-rows tr');
    auditMs.push(Date.now() - started);
  }
  const firstFrame: number[] = [];
  for (let i = 0; i < 3; i++) {
    started = Date.now();
    await page.goto(`${url}/sessions/${sids[0]}?paused=1`);
    await page.waitForSelector('#player[data-state="paused"]');
    firstFrame.push(Date.now() - started);
  }
  await page.waitForSelector('#player[data-outline="ready"]', { timeout: 600_000 });
  const duration = Number(await page.getAttribute('#seek', 'max'));
  let seed = 7;
  const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  const seeks: number[] = [];
  for (let i = 0; i < 10; i++) {
    const t = Math.round(random() * duration * 1000) / 1000;
    started = Date.now();
    await page.evaluate((target) => {
      const seek = document.querySelector<HTMLInputElement>('#seek')!;
      seek.value = String(target);
      seek.dispatchEvent(new Event('change'));
    }, t);
    await page.waitForSelector(`#player[data-state="paused"][data-pos="${t.toFixed(3)}"]`, { timeout: 120_000 });
    seeks.push(Date.now() - started);
  }
  const heap = await page.evaluate(() => (performance as unknown as { memory: { usedJSHeapSize: number } }).memory.usedJSHeapSize / 2 ** 20);
  // Several pages play different recordings at 16x, from different moments.
  const players = await Promise.all(sids.map(async (sid, i) => {
    const p = await browser.newPage();
    await p.goto(`${url}/sessions/${sid}?t=${(duration * i) / BROWSERS}`);
    await p.selectOption('#speed', '16');
    return p;
  }));
  await new Promise((r) => setTimeout(r, 15_000));
  const positions = await Promise.all(players.map((p) => p.getAttribute('#player', 'data-pos')));
  rows.push(
    ['machine', `${cpus()[0]?.model ?? '?'} x${cpus().length}, node ${process.version}`],
    ['large recording', `${(large.bytes / 2 ** 20).toFixed(1)} MiB file, ${MB} MiB output, ${(large.durationMs / 1000).toFixed(0)} s, indexed ${BROWSERS} copies in ${(indexMs / 1000).toFixed(1)} s`],
    ['first frame (player opened, paused at 0)', `median ${median(firstFrame)} ms (${firstFrame.join(', ')})`],
    ['seek to a random point, backwards or forwards', `median ${median(seeks)} ms, max ${Math.max(...seeks)} ms (10 seeks)`],
    ['browser JS heap after the seeks', `${heap.toFixed(1)} MiB`],
    [`server peak RSS, ${BROWSERS} pages playing at 16x for 15 s`, `${peakRss().toFixed(0)} MiB (positions ${positions.join(', ')} s)`],
    [`audit page first page, ${EVENTS.toLocaleString('en')} events in 30 daily files`, `median ${median(auditMs)} ms (${auditMs.join(', ')})`],
  );
} finally {
  await close();
  server.kill('SIGTERM');
  data.cleanup();
}
console.log(`| measure | value |\n|---|---|\n${rows.map(([k, v]) => `| ${k} | ${v} |`).join('\n')}`);
