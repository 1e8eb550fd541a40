// Tar, legacy (pre-4.4) recordings, importing Teleport's web fixtures, export and SSH playback files.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { exportRecording } from '../../lib/auditlog/export-recording.js';
import { convertLegacyRecording, importLegacySession, readLegacyRecording, writeLegacyRecording } from '../../lib/auditlog/legacy-recording.js';
import { writeForSSHPlayback } from '../../lib/auditlog/ssh-playback-writer.js';
import { readTar, writeTar } from '../../lib/auditlog/tar.js';
import { isAuditcastError } from '../../lib/errors.js';
import type { AuditEvent } from '../../lib/events/event.js';
import { marshalEventJson } from '../../lib/events/event-json.js';
import { toEventFields } from '../../lib/events/event-fields.js';
import { detectFormat } from '../../lib/stream/detect-format.js';
import { ProtoReader } from '../../lib/stream/proto-reader.js';
import { TELEPORT_WEB } from '../helpers/corpus.js';
import { generateTestSession } from '../helpers/generate-session.js';
import { recordEvents } from '../helpers/recording.js';
import { tempDir } from './helpers.js';

const printBytes = (events: readonly AuditEvent[]) => Buffer.concat(events.filter((e) => e.Metadata.Type === 'print').map((e) => e.Data as Uint8Array));

function fixture(name: 'vim' | 'npm') {
  return {
    fields: JSON.parse(readFileSync(join(TELEPORT_WEB, `${name}.tty.events.json`), 'utf8')) as Record<string, unknown>[],
    stream: readFileSync(join(TELEPORT_WEB, `${name}.tty.stream`)),
  };
}

describe('tar', () => {
  it('round-trips entries, long names, and is detected as the legacy format', () => {
    const long = `${'d'.repeat(120)}/${'f'.repeat(90)}.events.gz`;
    const entries = [
      { name: 'a.index', data: Buffer.from('{"x":1}\n') },
      { name: long, data: Buffer.alloc(1500, 7) },
      { name: 'empty', data: Buffer.alloc(0) },
    ];
    const tar = writeTar(entries);
    expect(tar.length % 512).toBe(0);
    expect(readTar(tar)).toEqual(entries);
    expect(detectFormat(tar.subarray(0, 512))).toEqual({ format: 'legacy-tar' });
  });

  it('refuses broken archives with CORRUPTED', () => {
    const tar = writeTar([{ name: 'x', data: Buffer.alloc(1000, 1) }]);
    const bad = Buffer.from(tar);
    bad[10] ^= 1;
    expect(() => readTar(bad)).toThrow(/checksum/);
    try {
      readTar(tar.subarray(0, 700));
    } catch (err) {
      expect(isAuditcastError(err, 'CORRUPTED')).toBe(true);
      return;
    }
    throw new Error('expected an error');
  });
});

describe('legacy recordings', () => {
  for (const name of ['vim', 'npm'] as const) {
    it(`importLegacySession(${name}) gives the stream back byte for byte through a proto recording`, async () => {
      const { fields, stream } = fixture(name);
      const events = importLegacySession(fields, stream);
      expect(events).toHaveLength(fields.length);
      expect(printBytes(events).equals(stream)).toBe(true);
      // the JSON of every imported event is the fixture's (print events carry no data in JSON)
      events.forEach((e, i) => {
        const back = toEventFields(e);
        for (const [key, value] of Object.entries(fields[i])) expect([key, back[key]]).toEqual([key, value]);
      });
      const recording = await convertLegacyRecording(events, { sessionId: String(fields[0].sid), minUploadBytes: 16 * 1024 });
      const read = await new ProtoReader(recording).readAll();
      expect(read).toHaveLength(fields.length);
      expect(printBytes(read).equals(stream)).toBe(true);
    });
  }

  it('reads a tarball split across three auth servers, in index order', async () => {
    const { fields, stream } = fixture('vim');
    const events = importLegacySession(fields, stream);
    const tar = writeLegacyRecording(String(fields[0].sid), events, { splitAt: [40, 100] });
    const names = readTar(tar).map((e) => e.name);
    expect(names.filter((n) => n.endsWith('.index'))).toHaveLength(3);
    // shuffle the server order inside the archive: merging is by event index
    const shuffled = writeTar(readTar(tar).reverse());
    const back = readLegacyRecording(shuffled);
    expect(back.map((e) => e.Metadata.Index)).toEqual(events.map((e) => e.Metadata.Index));
    expect(printBytes(back).equals(stream)).toBe(true);
    const proto = await convertLegacyRecording(shuffled);
    expect(printBytes(await new ProtoReader(proto).readAll()).equals(stream)).toBe(true);
  });

  it('says what is missing when a tarball is incomplete', () => {
    const session = generateTestSession({ printEvents: 3, sessionId: 's' });
    const entries = readTar(writeLegacyRecording('s', session)).filter((e) => !e.name.endsWith('.chunks.gz'));
    expect(() => readLegacyRecording(writeTar(entries))).toThrow(/lists s-0\.chunks\.gz/);
    expect(() => readLegacyRecording(writeTar([]))).toThrow('not a Teleport recording: the tar archive has no <session-id>.index or .events entries (it holds no files)');
    expect(() => readLegacyRecording(writeTar(entries.filter((e) => !e.name.endsWith('.index'))))).toThrow(/no <session>\.index/);
  });
});

describe('exportRecording', () => {
  it('TestExport: one JSON line per event in Teleport form', async () => {
    const session = generateTestSession({ printEvents: 1 });
    const recording = await recordEvents(session);
    const out = new PassThrough();
    const chunks: Buffer[] = [];
    out.on('data', (c) => chunks.push(c));
    const n = await exportRecording(Readable.from([recording.subarray(0, 100), recording.subarray(100)]), out, 'json');
    const lines = Buffer.concat(chunks).toString().trimEnd().split('\n');
    expect(n).toBe(3);
    expect(lines).toHaveLength(3);
    lines.forEach((line, i) => {
      expect(line).toContain(session[i].Metadata.Code);
      expect(line).toBe(marshalEventJson(session[i]));
    });
  });

  it('refuses legacy tarballs and unknown formats', async () => {
    const tar = writeLegacyRecording('s', generateTestSession({ printEvents: 2, sessionId: 's' }));
    const err = await exportRecording(tar, new PassThrough(), 'json').catch((e) => e);
    expect(isAuditcastError(err, 'UNSUPPORTED')).toBe(true);
    expect(err.message).toBe('to review the events in format of Teleport before version 4.4, extract the tarball and look inside');
    expect(await exportRecording(tar, new PassThrough(), 'yaml').catch((e) => e.code)).toBe('BAD_PARAMETER');
  });
});

describe('writeForSSHPlayback', () => {
  it('writes index, events (re-indexed, no data, enhanced events skipped) and chunks', async () => {
    const session = generateTestSession({ printEvents: 50, sessionId: 'sid-p' });
    const command = { $type: 'SessionCommand', Metadata: { Index: 99, Type: 'session.command', ID: '', Code: 'T4000I', Time: session[1].Metadata.Time, ClusterName: '' } } as AuditEvent;
    const recording = await recordEvents([...session.slice(0, 2), { ...command, Metadata: { ...command.Metadata, Index: 2 } }, ...session.slice(2).map((e) => ({ ...e, Metadata: { ...e.Metadata, Index: e.Metadata.Index + 1 } }))]);
    const dir = tempDir();
    const writer = await writeForSSHPlayback('sid-p', new ProtoReader(recording), dir);
    expect(readFileSync(writer.indexPath, 'utf8')).toBe(
      '{"file_name":"sid-p-0.events.gz","type":"events","index":0,"offset":0}\n{"file_name":"sid-p-0.chunks.gz","type":"chunks","index":0,"offset":0}\n',
    );
    const fields = await writer.sessionEvents();
    expect(fields.map((f) => f.getInt('ei'))).toEqual(Array.from({ length: 52 }, (_, i) => i));
    expect(fields.some((f) => f.getType() === 'session.command')).toBe(false);
    expect((await writer.sessionChunks()).equals(printBytes(session))).toBe(true);
    expect(gunzipSync(readFileSync(writer.chunksPath)).equals(printBytes(session))).toBe(true);
    expect((await writer.readChunks(3, 4)).equals(printBytes(session).subarray(3, 7))).toBe(true);
  });
});
