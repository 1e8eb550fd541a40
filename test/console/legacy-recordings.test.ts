// Pre-4.4 (legacy tar) recordings in the console: a session stored in Teleport's legacy layout
// (split between two auth servers) plays, seeks, previews and greps exactly like the same session
// recorded as a ProtoStream, from a converted copy in our cache dir; the records dir is untouched.
import { mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FileLog } from '../../lib/auditlog/file-log.js';
import { writeLegacyRecording } from '../../lib/auditlog/legacy-recording.js';
import { backend } from '../../lib/codec/index.js';
import { IndexScreenSource } from '../../lib/console/index-screen-source.js';
import { LegacyConvertingStore } from '../../lib/console/legacy-recordings.js';
import { DirRecordingStore } from '../../lib/console/recordings.js';
import { type ConsoleServer, startConsoleServer } from '../../lib/console/server.js';
import { RecordingIndex } from '../../lib/index-store/recording-index.js';
import { BUILD_SID, type ConsoleData, makeConsoleData, SESSION_START_MS, sessionEvents, TYPING_SID } from './console-fixture.js';

const BROKEN_SID = '3d9f0a52-7c1e-4b8a-9e35-5f6a7b8c9d0e';
let data: ConsoleData;
let legacyDir: string;
const servers: ConsoleServer[] = [];
const indexes: RecordingIndex[] = [];
let proto: ConsoleServer;
let legacy: ConsoleServer;
const errors: string[] = [];

async function serve(recordings: DirRecordingStore | LegacyConvertingStore, indexDir: string): Promise<ConsoleServer> {
  const index = new RecordingIndex({ dir: indexDir });
  indexes.push(index);
  const screen = new IndexScreenSource(index);
  await screen.warm(await recordings.list());
  const server = await startConsoleServer({ listen: '127.0.0.1:0', log: new FileLog({ dir: data.logDir }), recordings, screen });
  servers.push(server);
  return server;
}

async function get(server: ConsoleServer, path: string): Promise<{ status: number; text: string }> {
  const res = await fetch(server.url + path, { headers: { authorization: `Bearer ${server.token}` } });
  return { status: res.status, text: await res.text() };
}

beforeAll(async () => {
  data = await makeConsoleData();
  legacyDir = join(data.root, 'legacy-records');
  mkdirSync(legacyDir);
  const typing = sessionEvents('typing', TYPING_SID, SESSION_START_MS);
  writeFileSync(join(legacyDir, `${TYPING_SID}.tar`), writeLegacyRecording(TYPING_SID, typing, { splitAt: [Math.floor(typing.length / 2)] }));
  const build = sessionEvents('build', BUILD_SID, SESSION_START_MS + 3600_000).filter((e) => e.Metadata.Type !== 'session.end');
  writeFileSync(join(legacyDir, `${BUILD_SID}.tar`), writeLegacyRecording(BUILD_SID, build));
  // A legacy tarball whose index names a file that is not there.
  const broken = writeLegacyRecording(BROKEN_SID, typing.slice(0, 5));
  broken.write('nothere', broken.indexOf('.events.gz') - 12, 'latin1');
  writeFileSync(join(legacyDir, `${BROKEN_SID}.tar`), broken);
  proto = await serve(new DirRecordingStore(data.recordsDir), join(data.root, 'index-proto'));
  legacy = await serve(new LegacyConvertingStore(new DirRecordingStore(legacyDir), join(data.root, 'cache', 'legacy'), (sid, err) => errors.push(`${sid}: ${err.message}`)),
    join(data.root, 'index-legacy'));
}, 120_000);

afterAll(async () => {
  for (const server of servers) await server.close();
  for (const index of indexes) await index.close();
  data?.cleanup();
});

describe(`console plays pre-4.4 recordings (${backend} backend)`, () => {
  it('lists, plays, seeks, previews and greps a legacy recording as its ProtoStream twin', async () => {
    const sessions = JSON.parse((await get(legacy, '/api/sessions')).text) as { sessions: { sessionId: string }[] };
    const twins = JSON.parse((await get(proto, '/api/sessions')).text) as { sessions: { sessionId: string }[] };
    expect(sessions.sessions.map((s) => s.sessionId).sort()).toEqual(twins.sessions.map((s) => s.sessionId).sort());
    for (const sid of [TYPING_SID, BUILD_SID]) {
      for (const path of [`/api/sessions/${sid}/stream`, `/api/sessions/${sid}/stream?t=2.5`, `/api/sessions/${sid}/stream?index=7`,
        `/api/sessions/${sid}/keyframe?t=3`, `/api/sessions/${sid}/preview`]) {
        const got = await get(legacy, path);
        expect(got.status, path).toBe(200);
        expect(got.text, path).toBe((await get(proto, path)).text);
      }
    }
    const grep = await get(legacy, '/api/grep?q=ls%20-la');
    expect(JSON.parse(grep.text).hits.length).toBeGreaterThan(0);
    expect(grep.text).toBe((await get(proto, '/api/grep?q=ls%20-la')).text);
  });

  it('converts into its cache dir once, leaves the records dir alone, and says where a broken one breaks', async () => {
    expect(readdirSync(legacyDir).sort()).toEqual([BROKEN_SID, BUILD_SID, TYPING_SID].map((s) => `${s}.tar`).sort());
    const cached = readdirSync(join(data.root, 'cache', 'legacy'));
    expect(cached.sort()).toEqual([TYPING_SID, BUILD_SID].sort().map((sid) => expect.stringMatching(new RegExp(`^${sid}-\\d+-\\d+\\.tar$`))));
    const before = statSync(join(data.root, 'cache', 'legacy', cached[0]!)).mtimeMs;
    await get(legacy, `/api/sessions/${TYPING_SID}/stream`);
    expect(statSync(join(data.root, 'cache', 'legacy', cached[0]!)).mtimeMs).toBe(before);
    expect(errors.some((e) => e.startsWith(`${BROKEN_SID}: `) && e.includes(join(legacyDir, `${BROKEN_SID}.tar`)))).toBe(true);
    const broken = await get(legacy, `/api/sessions/${BROKEN_SID}/stream`);
    expect(broken.status).toBeGreaterThanOrEqual(400);
    expect(broken.text).toMatch(/CORRUPTED/);
  });
});
