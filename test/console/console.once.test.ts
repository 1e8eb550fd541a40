// The web console in Debian's Chromium on real data: the golden Teleport events in the audit page,
// a corpus session in the player (seeking both ways against the screen model), speed and pause,
// a grep hit opening its moment, markup in event fields shown as text, no access without the token,
// and a large recording.
import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FileLog } from '../../lib/auditlog/file-log.js';
import { IndexScreenSource } from '../../lib/console/index-screen-source.js';
import { lastPartOffset } from '../../lib/console/recording-end.js';
import { DirRecordingStore } from '../../lib/console/recordings.js';
import { RecordingIndex } from '../../lib/index-store/recording-index.js';
import { type ConsoleServer, startConsoleServer } from '../../lib/console/server.js';
import { buildWebApp, launchChromium } from './browser.js';
import { BUILD_SID, type ConsoleData, makeConsoleData, TYPING_SID, XSS_USER } from './console-fixture.js';
import { writeLargeRecording } from './large-recording.js';

let data: ConsoleData;
let server: ConsoleServer;
let browser: BrowserContext;
let closeBrowser: () => Promise<void>;
let page: Page;
let index: RecordingIndex;
let screen: IndexScreenSource;
const pageErrors: string[] = [];
const dialogs: string[] = [];
/** Every event in the fixture: 165 golden + the XSS login + the typing session's 5 non-print events. */
const TOTAL_EVENTS = 171;

beforeAll(async () => {
  buildWebApp();
  data = await makeConsoleData();
  const recordings = new DirRecordingStore(data.recordsDir);
  index = new RecordingIndex({ dir: join(data.root, 'index') });
  screen = new IndexScreenSource(index);
  await screen.warm(await recordings.list());
  server = await startConsoleServer({ listen: '127.0.0.1:0', log: new FileLog({ dir: data.logDir }), recordings, screen });
  ({ browser, close: closeBrowser } = await launchChromium());
  page = await browser.newPage();
  page.on('pageerror', (e) => pageErrors.push(e.message));
  page.on('dialog', (d) => {
    dialogs.push(d.message());
    void d.dismiss();
  });
  const res = await page.goto(server.loginUrl);
  expect(res?.status()).toBe(200);
});

afterAll(async () => {
  await closeBrowser?.();
  await server?.close();
  index?.close();
  data?.cleanup();
});

/** The screen model's text (lib/screen through the index) at each time, as the page shows it. */
async function screensAt(path: string, times: readonly number[]): Promise<Map<number, string>> {
  const sid = path.split('/').pop()!.replace(/\.tar$/, '');
  const result = new Map<number, string>();
  for (const t of times) result.set(t, (await index.screenAt(sid, path, t * 1000)).text.join('\n'));
  return result;
}

async function rowUids(p: Page): Promise<string[]> {
  await p.waitForFunction(() => !document.querySelector('#audit-status')?.textContent?.startsWith('Loading'));
  return p.$$eval('#audit-rows tr', (rows) => rows.map((r) => r.getAttribute('data-uid') ?? ''));
}

describe('audit page', () => {
  // Pages of 25: 37 golden events share one uid, so pages end on repeated uids; FileLog's keys name
  // positions, so no event repeats or goes missing.
  it('lists every golden event, pages forward with keys and back again', async () => {
    await page.goto(`${server.url}/audit?limit=25`);
    const pages: string[][] = [await rowUids(page)];
    while (await page.isEnabled('#page-next')) {
      await page.click('#page-next');
      pages.push(await rowUids(page));
    }
    expect(pages.flat()).toHaveLength(TOTAL_EVENTS);
    expect(new Set(pages.flat().map((uid, i) => uid || `no-uid-${i}`)).size).toBeGreaterThan(100);
    expect(pages).toHaveLength(Math.ceil(TOTAL_EVENTS / 25));
    expect(await page.textContent('#page-no')).toBe(String(pages.length));
    for (let i = pages.length - 2; i >= 0; i--) {
      await page.click('#page-prev');
      expect(await rowUids(page)).toEqual(pages[i]);
    }
    expect(await page.isDisabled('#page-prev')).toBe(true);
  });

  it('filters by type and shows an event\'s JSON on click', async () => {
    await page.goto(`${server.url}/audit`);
    await rowUids(page);
    await page.fill('#f-types', 'session.start,session.end');
    await page.click('#audit-filters button[type=submit]');
    await rowUids(page);
    const types = await page.$$eval('#audit-rows tr td:nth-child(2)', (tds) => tds.map((td) => td.textContent));
    const expected = data.golden.filter((e) => e.event === 'session.start' || e.event === 'session.end').length + 2;
    expect(types).toHaveLength(expected);
    expect(new Set(types)).toEqual(new Set(['session.start', 'session.end']));
    expect(page.url()).toContain('types=session.start%2Csession.end');
    await page.click('#audit-rows tr:first-child td:nth-child(2)');
    const json = JSON.parse((await page.textContent('#event-json'))!);
    expect(json.event).toBe(types[0]);
    expect(json.uid).toBe(await page.getAttribute('#audit-rows tr:first-child', 'data-uid'));
  });

  it('shows markup in event fields as text and runs no script', async () => {
    await page.goto(`${server.url}/audit?user=${encodeURIComponent(XSS_USER)}`);
    expect(await rowUids(page)).toEqual(['xss-login-0001']);
    expect(await page.textContent('#audit-rows td.user')).toBe(XSS_USER);
    await page.click('#audit-rows tr:first-child td:nth-child(2)');
    expect(await page.textContent('#event-json')).toContain(XSS_USER);
    expect(await page.$$('img')).toHaveLength(0);
    expect(dialogs).toEqual([]);
    expect(pageErrors).toEqual([]);
  });
});

describe('player', () => {
  async function openPaused(sid: string, t = 0): Promise<void> {
    await page.goto(`${server.url}/sessions/${sid}?t=${t}&paused=1`);
    await page.waitForSelector('#player[data-state="paused"][data-outline="ready"]');
  }

  async function seekTo(t: number): Promise<string> {
    await page.evaluate((target) => {
      const seek = document.querySelector<HTMLInputElement>('#seek')!;
      seek.value = String(target);
      seek.dispatchEvent(new Event('change'));
    }, t);
    await page.waitForSelector(`#player[data-state="paused"][data-pos="${t.toFixed(3)}"]`);
    return (await page.textContent('#screen-text'))!;
  }

  it('shows the screen model\'s screen at 10 random times reached by seeking, backwards too', async () => {
    await openPaused(TYPING_SID);
    const duration = Number(await page.getAttribute('#seek', 'max'));
    expect(duration).toBeCloseTo(3.582, 3);
    let seed = 42;
    const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const times = Array.from({ length: 10 }, () => Math.round(random() * duration * 1000) / 1000);
    expect(times.some((t, i) => i > 0 && t < times[i - 1]!)).toBe(true);
    const expected = await screensAt(join(data.recordsDir, `${TYPING_SID}.tar`), times);
    const distinct = new Set(expected.values());
    expect(distinct.size).toBeGreaterThan(3);
    for (const t of times) expect(await seekTo(t), `t=${t}`).toBe(expected.get(t));
  });

  it('opens at ?t=SECONDS&paused=1', async () => {
    const expected = await screensAt(join(data.recordsDir, `${TYPING_SID}.tar`), [2.5]);
    await openPaused(TYPING_SID, 2.5);
    expect(await page.getAttribute('#player', 'data-pos')).toBe('2.500');
    expect(await page.textContent('#screen-text')).toBe(expected.get(2.5));
  });

  it('plays at the chosen speed, pauses with space, changes speed with + and -', async () => {
    await openPaused(TYPING_SID);
    await page.uncheck('#skip-idle');
    await page.selectOption('#speed', '0.5');
    const rate = async () => page.evaluate(async () => {
      const player = document.querySelector<HTMLElement>('#player')!;
      const pos = () => Number(player.dataset.pos);
      const p0 = pos();
      const w0 = performance.now();
      while (pos() < p0 + 0.5 && player.dataset.state === 'playing') await new Promise((r) => setTimeout(r, 10));
      return (pos() - p0) / ((performance.now() - w0) / 1000);
    });
    await page.click('#play');
    const slow = await rate();
    await page.keyboard.press('Space');
    await page.waitForSelector('#player[data-state="paused"]');
    const pausedAt = await page.getAttribute('#player', 'data-pos');
    await page.waitForTimeout(400);
    expect(await page.getAttribute('#player', 'data-pos')).toBe(pausedAt);
    await page.focus('#player');
    await page.keyboard.press('+');
    await page.keyboard.press('+');
    await page.keyboard.press('+');
    expect(await page.inputValue('#speed')).toBe('4');
    await page.keyboard.press('-');
    expect(await page.inputValue('#speed')).toBe('2');
    await page.keyboard.press('Space');
    const fast = await rate();
    expect(slow).toBeGreaterThan(0.35);
    expect(slow).toBeLessThan(0.65);
    expect(fast).toBeGreaterThan(1.4);
    expect(fast).toBeLessThan(2.6);
    await page.waitForSelector('#player[data-state="ended"]');
    const end = await screensAt(join(data.recordsDir, `${TYPING_SID}.tar`), [3.582]);
    expect(await page.textContent('#screen-text')).toBe(end.get(3.582));
  });

  it('a grep hit opens the player at that moment, marked on the seek bar', async () => {
    await page.goto(`${server.url}/search`);
    await page.fill('#grep-q', 'os-release');
    await page.click('#grep-form button[type=submit]');
    await page.waitForSelector('#grep-hits a.hit');
    const href = (await page.getAttribute(`#grep-hits a.hit[href^="/sessions/${TYPING_SID}"]`, 'href'))!;
    const t = Number(new URL(href, server.url).searchParams.get('t'));
    expect(t).toBeGreaterThan(0);
    await page.click(`#grep-hits a.hit[href^="/sessions/${TYPING_SID}"]`);
    await page.waitForSelector(`#player[data-state="paused"][data-pos="${t.toFixed(3)}"][data-outline="ready"]`);
    const text = (await page.textContent('#screen-text'))!;
    expect(text).toContain('os-release');
    expect(text).toBe((await screensAt(join(data.recordsDir, `${TYPING_SID}.tar`), [t])).get(t));
    await page.waitForSelector('#markers .marker.grep');
  });

  it('left and right arrows move 5 s; markers show joins, leaves and resizes', async () => {
    await openPaused(BUILD_SID);
    const kinds = await page.$$eval('#markers .marker', (ms) => ms.map((m) => m.className.replace('marker ', '')));
    expect(kinds.sort()).toEqual(['join', 'leave', 'resize']);
    await page.focus('#player');
    await page.keyboard.press('ArrowRight');
    const duration = Number(await page.getAttribute('#seek', 'max'));
    await page.waitForSelector(`#player[data-state="ended"][data-pos="${duration.toFixed(3)}"]`);
    await page.keyboard.press('ArrowLeft');
    await page.waitForSelector('#player[data-state="paused"][data-pos="0.000"]');
  });
});

describe('large recording', () => {
  // Output size of the large session (the build corpus repeated); CI keeps the default.
  const LARGE_MB = Number(process.env.AUDITCAST_CONSOLE_LARGE_MB ?? 32);
  const LARGE_SID = 'b16b16b1-0000-4000-8000-000000000001';

  /** Seeks with the seek bar (as a user's drag ends) and returns the screen text once there. */
  async function seekTo(t: number): Promise<{ ms: number; text: string | null }> {
    const started = Date.now();
    await page.evaluate((target) => {
      const seek = document.querySelector<HTMLInputElement>('#seek')!;
      seek.value = String(target);
      seek.dispatchEvent(new Event('change'));
    }, t);
    await page.waitForSelector(`#player[data-state="paused"][data-pos="${t.toFixed(3)}"]`, { timeout: 120_000 });
    return { ms: Date.now() - started, text: await page.textContent('#screen-text') };
  }

  it(`plays a ${LARGE_MB} MiB multi-part session before and after its index is built: first frame, seeks both ways, bounded page memory`, async () => {
    const large = await writeLargeRecording(data.recordsDir, LARGE_SID, LARGE_MB * 1024 * 1024);
    expect(await lastPartOffset(large.path)).toBeGreaterThan(0);
    const duration = large.durationMs / 1000;
    const times = [0.9, 0.1, 0.5].map((f) => Math.round(duration * f * 1000) / 1000);
    // The index is built in the background while the page plays; nothing waits for it.
    const indexStarted = Date.now();
    let indexMs = 0;
    const building = screen.warm([{ sessionId: LARGE_SID, path: large.path }]).then(() => { indexMs = Date.now() - indexStarted; });
    const opened = Date.now();
    await page.goto(`${server.url}/sessions/${LARGE_SID}?paused=1`);
    await page.waitForSelector('#player[data-state="paused"]');
    const firstFrameMs = Date.now() - opened;
    expect(indexMs, 'the first frame came before the index was built').toBe(0);
    // The duration comes from the recording's end, at once; the seek bar shows the indexed part.
    await page.waitForSelector('#player[data-index]');
    expect(Number(await page.getAttribute('#seek', 'max'))).toBeCloseTo(duration, 3);
    const early: { t: number; indexed: string | null; ms: number; text: string | null }[] = [];
    for (const t of times) {
      const indexed = await page.getAttribute('#player', 'data-indexed');
      early.push({ t, indexed, ...(await seekTo(t)) });
    }
    await building;
    const expected = await screensAt(large.path, times);
    for (const e of early) expect(e.text, `t=${e.t} while indexing (indexed to ${e.indexed} s)`).toBe(expected.get(e.t));
    await page.waitForSelector('#player[data-index="ready"]', { timeout: 30_000 });
    const seekMs: number[] = [];
    for (const t of [...times].reverse()) {
      const { ms, text } = await seekTo(t);
      seekMs.push(ms);
      expect(text, `t=${t}`).toBe(expected.get(t));
    }
    // What the page keeps: the heap after a full collection (before it, the figure also counts
    // garbage not yet collected, which varies from run to run).
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('HeapProfiler.collectGarbage');
    const heap = (await cdp.send('Runtime.getHeapUsage')).usedSize;
    await cdp.detach();
    expect(heap).toBeGreaterThan(0);
    expect(heap).toBeLessThan(200 * 1024 * 1024);
    console.log(`large recording: ${(large.bytes / 2 ** 20).toFixed(1)} MiB file, ${LARGE_MB} MiB output, ${duration.toFixed(0)} s; first frame ${firstFrameMs} ms; `
      + `seeks while indexing ${early.map((e) => `${e.ms} ms (t=${e.t}, indexed to ${e.indexed})`).join(', ')}; indexed in ${indexMs} ms; `
      + `seeks after ${seekMs.join(', ')} ms; JS heap ${(heap / 2 ** 20).toFixed(1)} MiB`);
  }, 600_000);
});

describe('access', () => {
  it('a browser without the token gets nothing, and the cookie is invisible to scripts', async () => {
    const fresh = await launchChromium();
    try {
      const other = await fresh.browser.newPage();
      for (const path of ['/audit', `/sessions/${TYPING_SID}`, '/api/events', '/assets/app.js']) {
        const res = await other.goto(`${server.url}${path}`);
        expect(res?.status(), path).toBe(401);
      }
      expect(await other.textContent('body')).not.toContain('session');
    } finally {
      await fresh.close();
    }
    await page.goto(`${server.url}/audit`);
    expect(await page.evaluate(() => document.cookie)).toBe('');
  });
});
