// npx tsx bench/console.ts [--mb N] [--events N] [--browsers N] [--other-mb N] [--index-wait S]
// The web console with the real browser (Debian's Chromium) against `auditcast serve` in a child
// process, on recordings that have NO index when the server starts (what opening a new large
// recording is): first frame, seeks while the index is being built in the background (and after
// it, if it is done within --index-wait seconds), the page's JS heap, the server's peak RSS
// (VmHWM) while several pages play different recordings at 16x, and the audit page's first page
// on a large log. The large recording is the build corpus repeated (--mb MiB of output, parts cut
// at the streamer's 5 MiB of gzip); the other pages play copies of --other-mb MiB. Prints one
// table; times are wall clock, medians where repeated.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { appendFileSync, copyFileSync, readFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { logFileName } from '../lib/auditlog/file-time.js';
import { lastPartOffset } from '../lib/console/recording-end.js';
import { buildWebApp, launchChromium } from '../test/console/browser.js';
import { makeConsoleData } from '../test/console/console-fixture.js';
import { writeLargeRecording } from '../test/console/large-recording.js';

const { values } = parseArgs({
  options: { mb: { type: 'string' }, events: { type: 'string' }, browsers: { type: 'string' }, 'other-mb': { type: 'string' }, 'index-wait': { type: 'string' } },
});
const MB = Number(values.mb ?? 64);
const OTHER_MB = Number(values['other-mb'] ?? Math.min(MB, 64));
const EVENTS = Number(values.events ?? 200_000);
const BROWSERS = Number(values.browsers ?? 3);
const INDEX_WAIT_S = Number(values['index-wait'] ?? 120);
const ROOT = join(import.meta.dirname, '..');
const TOKEN = 'bench-token-0123456789abcdef';
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

buildWebApp();
const data = await makeConsoleData();
const sids = Array.from({ length: BROWSERS }, (_, i) => `b16b16b1-0000-4000-8000-${String(i + 1).padStart(12, '0')}`);
let started = Date.now();
const large = await writeLargeRecording(data.recordsDir, sids[0]!, MB * 1024 * 1024);
const writeMs = Date.now() - started;
const other = BROWSERS > 1 ? await writeLargeRecording(data.root, sids[1]!, OTHER_MB * 1024 * 1024) : null;
for (const sid of sids.slice(1)) copyFileSync(other!.path, join(data.recordsDir, `${sid}.tar`));

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
/** Each row is printed as soon as it is measured too (a long run that breaks keeps what it got). */
const row = (name: string, value: string) => {
  rows.push([name, value]);
  console.error(`${name}: ${value}`);
};
try {
  const page = await browser.newPage();
  // In the page, when what is measured appears (ms since navigation start): Playwright's polling
  // of the page adds its own delay (hundreds of ms on a loaded machine) to the wall clock.
  await page.addInitScript(() => {
    const seen = window as unknown as Record<string, number>;
    new MutationObserver(() => {
      seen.rowsAt ??= document.querySelector('#audit-rows tr') ? performance.now() : undefined!;
      seen.frameAt ??= document.querySelector('#player[data-state="paused"]') ? performance.now() : undefined!;
    }).observe(document, { subtree: true, childList: true, attributes: true });
  });
  const inPage = (name: string) => page.evaluate((n) => (window as unknown as Record<string, number>)[n]!, name);
  /** Request -> response end of the page's API calls and scripts, in ms since navigation start. */
  const requests = () => page.evaluate(() => performance.getEntriesByType('resource')
    .filter((e) => /\/api\/|\.js$/.test(e.name))
    .map((e) => `${new URL(e.name).pathname.replace(/\/api\/sessions\/[^/]+/, 'sid').replace(/^\/assets\//, '')} ${e.startTime.toFixed(0)}-${(e as PerformanceResourceTiming).responseEnd.toFixed(0)}`)
    .join(', '));
  await page.goto(`${url}/?token=${TOKEN}`);
  const auditMs: number[] = [];
  const auditInPage: number[] = [];
  let auditSteps = '';
  for (let i = 0; i < 5; i++) {
    started = Date.now();
    await page.goto(`${url}/audit`);
    await page.waitForSelector('#audit-rows tr');
    auditMs.push(Date.now() - started);
    auditInPage.push(Math.round(await inPage('rowsAt')));
    auditSteps = await requests();
  }
  row('machine', `${cpus()[0]?.model ?? '?'} x${cpus().length}, node ${process.version}, load average ${loadavg().map((l) => l.toFixed(1)).join(' ')} at the start`);
  row(`audit page first page, ${EVENTS.toLocaleString('en')} events in 30 daily files`, `in the page median ${median(auditInPage)} ms (${auditInPage.join(', ')}); seen by Playwright ${median(auditMs)} ms (${auditMs.join(', ')}); last load: ${auditSteps}`);
  row('large recording', `${(large.bytes / 2 ** 20).toFixed(1)} MiB file, ${MB} MiB output, ${(large.durationMs / 1000).toFixed(0)} s, last part at byte ${await lastPartOffset(large.path)}; written in ${(writeMs / 1000).toFixed(1)} s; no index when the server started`);
  // Opening the large recording: the server has just queued it for indexing (it has none).
  started = Date.now();
  await page.goto(`${url}/sessions/${sids[0]}?paused=1`);
  await page.waitForSelector('#player[data-state="paused"]');
  const firstWall = Date.now() - started;
  row('first frame (player opened, paused at 0, index not built)', `in the page ${(await inPage('frameAt')).toFixed(0)} ms; seen by Playwright ${firstWall} ms; ${await requests()}`);
  await page.waitForSelector('#player[data-index]');
  const duration = Number(await page.getAttribute('#seek', 'max'));
  let seed = 7;
  const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  /** A seek in the page: from the seek bar's change event to the screen shown at the moment (ms). */
  const seekTo = (t: number) => page.evaluate((target) => new Promise<number>((resolve) => {
    const player = document.querySelector('#player')!;
    const at = performance.now();
    const observer = new MutationObserver(() => {
      if (player.getAttribute('data-state') !== 'paused' || player.getAttribute('data-pos') !== target.toFixed(3)) return;
      observer.disconnect();
      resolve(Math.round(performance.now() - at));
    });
    observer.observe(player, { attributes: true });
    const seek = document.querySelector<HTMLInputElement>('#seek')!;
    seek.value = String(target);
    seek.dispatchEvent(new Event('change'));
  }), t);
  const indexedNow = async () => Number(await page.getAttribute('#player', 'data-indexed'));
  // While the index is built: seeks inside the indexed part, and one beyond it.
  await new Promise((r) => setTimeout(r, 5000));
  const inside: number[] = [];
  for (let i = 0; i < 5; i++) inside.push(await seekTo(Math.round(random() * (await indexedNow()) * 1000) / 1000));
  const indexedBefore = await indexedNow();
  const beyondT = Math.round(Math.min(duration, indexedBefore + Math.max(10, duration / 50)) * 1000) / 1000;
  row(`seek inside the indexed part while indexing (indexed to ${indexedBefore.toFixed(0)} s of ${duration.toFixed(0)} s)`, `median ${median(inside)} ms, max ${Math.max(...inside)} ms (${inside.length} seeks)`);
  row(`seek beyond the indexed part (to ${beyondT.toFixed(0)} s: reads forward from the last keyframe)`, `${await seekTo(beyondT)} ms`);
  let indexedAfter = 0;
  const indexDeadline = Date.now() + INDEX_WAIT_S * 1000;
  while (Date.now() < indexDeadline && (await page.getAttribute('#player', 'data-index')) !== 'ready') await new Promise((r) => setTimeout(r, 1000));
  indexedAfter = await indexedNow();
  const ready = (await page.getAttribute('#player', 'data-index')) === 'ready';
  const seeks: number[] = [];
  if (ready) for (let i = 0; i < 10; i++) seeks.push(await seekTo(Math.round(random() * duration * 1000) / 1000));
  row(ready ? 'seek to a random point, index built' : `seek with the whole index: not measured (index reached ${indexedAfter.toFixed(0)} s of ${duration.toFixed(0)} s within ${INDEX_WAIT_S} s)`,
    ready ? `median ${median(seeks)} ms, max ${Math.max(...seeks)} ms (${seeks.length} seeks, backwards and forwards)` : '-');
  const heap = await page.evaluate(() => (performance as unknown as { memory: { usedJSHeapSize: number } }).memory.usedJSHeapSize / 2 ** 20);
  row('browser JS heap after the seeks', `${heap.toFixed(1)} MiB`);
  // Several pages play different recordings at 16x, from different moments. The peak so far
  // (the head, seeks and the index build) tells what the pages add.
  const peakBefore = peakRss();
  const players = [];
  for (const [i, sid] of sids.entries()) {
    const p = i === 0 ? page : await browser.newPage();
    await p.goto(`${url}/sessions/${sid}?t=${((i === 0 ? duration : other!.durationMs / 1000) * i) / BROWSERS}`, { timeout: 300_000 });
    await p.waitForSelector('#player[data-state="playing"]', { timeout: 300_000 });
    await p.selectOption('#speed', '16');
    players.push(p);
  }
  await new Promise((r) => setTimeout(r, 30_000));
  const positions = await Promise.all(players.map((p) => p.getAttribute('#player', 'data-pos')));
  const heaps = await Promise.all(players.map((p) => p.evaluate(() => (performance as unknown as { memory: { usedJSHeapSize: number } }).memory.usedJSHeapSize / 2 ** 20)));
  row(`${BROWSERS} pages playing different recordings at 16x for 30 s`, `server peak RSS ${peakRss().toFixed(0)} MiB (${peakBefore.toFixed(0)} MiB before the pages, with the index build); page JS heaps max ${Math.max(...heaps).toFixed(1)} MiB (positions ${positions.join(', ')} s)`);
  row('load average at the end', loadavg().map((l) => l.toFixed(1)).join(' '));
} finally {
  await close();
  // The server may be writing an index into the data dir: it goes first.
  const exited = server.exitCode === null ? once(server, 'exit') : Promise.resolve();
  server.kill('SIGTERM');
  await exited;
  data.cleanup();
}
console.log(`| measure | value |\n|---|---|\n${rows.map(([k, v]) => `| ${k} | ${v} |`).join('\n')}`);
