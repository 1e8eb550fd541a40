// Screenshots of the console for the README, on the test fixture, at a laptop and a phone size:
//   npx tsx test/console/take-screenshots.ts docs/console
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { FileLog } from '../../lib/auditlog/file-log.js';
import { IndexScreenSource } from '../../lib/console/index-screen-source.js';
import { DirRecordingStore } from '../../lib/console/recordings.js';
import { RecordingIndex } from '../../lib/index-store/recording-index.js';
import { startConsoleServer } from '../../lib/console/server.js';
import { buildWebApp, launchChromium } from './browser.js';
import { makeConsoleData, TYPING_SID } from './console-fixture.js';

const out = resolve(process.argv[2] ?? 'docs/console');
mkdirSync(out, { recursive: true });
buildWebApp();
const data = await makeConsoleData();
const recordings = new DirRecordingStore(data.recordsDir);
const index = new RecordingIndex({ dir: join(data.root, 'index') });
const screen = new IndexScreenSource(index);
await screen.warm(await recordings.list());
const server = await startConsoleServer({ listen: '127.0.0.1:0', log: new FileLog({ dir: data.logDir }), recordings, screen });
const { browser, close } = await launchChromium();
try {
  const page = await browser.newPage();
  await page.goto(server.loginUrl);
  for (const [name, size] of [['laptop', { width: 1366, height: 768 }], ['phone', { width: 390, height: 844 }]] as const) {
    await page.setViewportSize(size);
    await page.goto(`${server.url}/audit`);
    await page.waitForSelector('#audit-rows tr');
    if (name === 'laptop') await page.click('#audit-rows tr:nth-child(3) td:nth-child(2)');
    await page.screenshot({ path: join(out, `audit-${name}.png`) });
    await page.goto(`${server.url}/sessions`);
    await page.waitForSelector('#session-rows tr');
    await page.screenshot({ path: join(out, `sessions-${name}.png`) });
    await page.goto(`${server.url}/sessions/${TYPING_SID}?t=2.2&paused=1&q=os-release`);
    await page.waitForSelector('#player[data-state="paused"][data-outline="ready"][data-index="ready"]');
    await page.screenshot({ path: join(out, `player-${name}.png`) });
    await page.goto(`${server.url}/search?q=root`);
    await page.waitForSelector('#grep-hits a.hit');
    await page.screenshot({ path: join(out, `search-${name}.png`) });
  }
} finally {
  await close();
  await server.close();
  index.close();
  data.cleanup();
}
console.log(`screenshots in ${out}`);
