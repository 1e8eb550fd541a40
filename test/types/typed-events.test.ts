// Typed events: tsc proves wrong shapes do not compile (typed-events.check.ts), and field names a
// message does not have are BAD_PARAMETER at run time, naming the field, on every path that
// writes an event (OneOf bytes, JSON line, session preparer).
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AuditcastError, Preparer, encodeEvent, marshalEventJson } from '../../lib/index.js';

const ROOT = join(import.meta.dirname, '..', '..');

function badParameter(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(AuditcastError);
    expect((err as AuditcastError).code).toBe('BAD_PARAMETER');
    return (err as Error).message;
  }
  throw new Error('expected BAD_PARAMETER');
}

describe('typed events', () => {
  it('reject wrong shapes at compile time (tsc over @ts-expect-error lines)', () => {
    const tsc = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
    let output = '';
    try {
      output = execFileSync(process.execPath, [tsc, '-p', join(ROOT, 'test', 'types', 'tsconfig.json')], { encoding: 'utf8' });
    } catch (err) {
      output = String((err as { stdout?: string }).stdout ?? err);
    }
    expect(output).toBe('');
  }, 120_000);

  it('reject unknown field names at run time, naming the field', () => {
    const misplaced = { $type: 'SessionStart', SessionMetadata: { SessionID: 'x' } } as never;
    expect(badParameter(() => encodeEvent(misplaced))).toBe('SessionStart: SessionStart has no field "SessionMetadata"');
    expect(badParameter(() => marshalEventJson(misplaced))).toContain('"SessionMetadata"');
    const nested = { Metadata: { Type: 'session.start' }, Session: { SessionId: 'x' } } as never;
    expect(badParameter(() => encodeEvent(nested))).toBe('SessionStart.Session: SessionMetadata has no field "SessionId"');
    const print = { $type: 'SessionPrint', Data: new Uint8Array(1), Bites: 1 } as never;
    expect(badParameter(() => encodeEvent(print))).toContain('"Bites"');
    const inList = { $type: 'SessionEnd', Participants: ['a'], EnhancedRecording: true, Metadata: { Tyep: 'x' } } as never;
    expect(badParameter(() => encodeEvent(inList))).toBe('SessionEnd.Metadata: Metadata has no field "Tyep"');
  });

  it('are rejected by the preparer before the session id is stamped', () => {
    const preparer = new Preparer({ sessionId: '7f3ad3c4-57a4-4d27-9a8c-6c2a10e4a4a1' });
    const message = badParameter(() => preparer.prepareSessionEvent({ Metadata: { Type: 'session.start', Code: 'T2000I' }, SessionMetadata: { SessionID: 'x' } }));
    expect(message).toContain('"SessionMetadata"');
    const ok = preparer.prepareSessionEvent({ Metadata: { Type: 'session.start', Code: 'T2000I' }, TerminalSize: '80:25' });
    expect(ok.$type).toBe('SessionStart');
  });

  it('keep $-prefixed keys of ours', () => {
    expect(encodeEvent({ $type: 'SessionStart', $unknown: new Uint8Array(0), TerminalSize: '1:1' } as never).length).toBeGreaterThan(0);
  });
});
