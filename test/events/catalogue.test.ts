import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { eventCatalogue, severityOfCode } from '../../lib/events/catalogue.js';
import * as C from '../../lib/events/constants.generated.js';

const fixtures = new URL('../../../shared/fixtures/', import.meta.url);
const auditEvents = JSON.parse(readFileSync(new URL('teleport-web/audit-events.json', fixtures), 'utf8')) as Record<string, unknown>[];

describe('constants', () => {
  it('carries the seed names and values', () => {
    expect(C.SessionStartEvent).toBe('session.start');
    expect(C.SessionStartCode).toBe('T2000I');
    expect(C.SessionPrintEvent).toBe('print');
    expect(C.EventType).toBe('event');
    expect(C.EventID).toBe('uid');
    expect(C.EventIndex).toBe('ei');
    expect(C.MaxChunkBytes).toBe(5 * 1024 * 1024);
    expect(C.MaxProtoMessageSizeBytes).toBe(65536);
    expect(C.ProtoStreamV1PartHeaderSize).toBe(24);
    expect(C.ProtoStreamV1RecordHeaderSize).toBe(4);
    expect(C.MinUploadPartSizeBytes).toBe(5 * 1024 * 1024);
    expect(C.SessionLogsDir).toBe('sessions');
    expect(C.StreamingSessionsDir).toBe('streaming');
    expect(C.CorruptedSessionsDir).toBe('corrupted');
    expect(C.AuditBackoffTimeout).toBe(5000);
    expect(C.NetworkBackoffDuration).toBe(30_000);
    expect(C.InactivityFlushPeriod).toBe(300_000);
    expect(C.SessionUploadIndex).toBe(2147483647);
    expect(C.SessionDataIndex).toBe(2147483646);
    expect(C.UnknownEvent).toBe('unknown');
    expect(C.UnknownCode).toBe('TCC00E');
    expect(C.AsyncBufferSize).toBe(1024);
    expect(C.MaxEventBytesInResponse).toBe(1024 * 1024);
    expect(C.V3).toBe(3);
  });
});

describe('eventCatalogue', () => {
  it('knows every type and code of the Teleport web fixtures', () => {
    const missingTypes = new Set<string>();
    const missingCodes = new Set<string>();
    for (const e of auditEvents) {
      if (!eventCatalogue.hasType(e.event as string)) missingTypes.add(e.event as string);
      if (typeof e.code === 'string' && !eventCatalogue.hasCode(e.code)) missingCodes.add(e.code);
    }
    expect([...missingTypes]).toEqual([]);
    expect([...missingCodes]).toEqual([]);
  });

  it('maps type <-> codes <-> message', () => {
    const start = eventCatalogue.types.get('session.start')!;
    expect(start).toMatchObject({ name: 'SessionStartEvent', message: 'SessionStart', oneof: 5, codes: ['T2000I'] });
    expect(eventCatalogue.typeOfCode('T2000I')).toBe('session.start');
    expect(eventCatalogue.typeOfCode('T1000W')).toBe('user.login');
    expect(eventCatalogue.typeOfCode('TS003E')).toBe('sftp');
    expect(eventCatalogue.typeOfCode('TMY01I')).toBe('db.session.mysql.statements.execute');
    expect(eventCatalogue.codesOfType('exec')).toEqual(['T3002I', 'T3002E']);
    expect(eventCatalogue.codesOfType('print')).toEqual([]);
    expect(eventCatalogue.messageOfType('print')).toBe('SessionPrint');
    expect(eventCatalogue.oneofOfType('print')).toBe(7);
    expect(eventCatalogue.messageOfType('access_request.review')).toBe('AccessRequestCreate');
    expect(eventCatalogue.messageOfType('no.such.type')).toBeUndefined();
    expect(eventCatalogue.codes.get('TCC00E')).toMatchObject({ name: 'UnknownCode', type: 'unknown', severity: 'error' });
  });

  it('gives severity from the code suffix', () => {
    expect(eventCatalogue.severity('T2000I')).toBe('info');
    expect(eventCatalogue.severity('T1000W')).toBe('warning');
    expect(eventCatalogue.severity('T3002E')).toBe('error');
    expect(severityOfCode('XYZ')).toBeUndefined();
    for (const info of eventCatalogue.codes.values()) expect(info.severity).toBe(severityOfCode(info.code));
  });

  it('every code has an event type and every type with a message has a OneOf number', () => {
    for (const info of eventCatalogue.codes.values()) expect(info.type, info.name).toBeDefined();
    for (const info of eventCatalogue.types.values()) {
      if (info.message) expect(info.oneof, info.type).toBeGreaterThan(0);
    }
  });
});

describe('constants.generated.ts', () => {
  it('is what scripts/gen-catalogue.mjs makes from the seed', async () => {
    const { execFileSync } = await import('node:child_process');
    const root = new URL('../../', import.meta.url).pathname;
    expect(() => execFileSync(process.execPath, ['scripts/gen-catalogue.mjs', '--check'], { cwd: root, stdio: 'pipe' })).not.toThrow();
  });
});
