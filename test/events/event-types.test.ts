import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { AuditEvent, EventTypes } from '../../lib/events/index.js';
import { fromEventFields } from '../../lib/events/event-fields.js';
import { getMessage, zeroMessage } from '../../lib/events/message-codec.js';
// @ts-expect-error plain ESM module without types
import { buildSchema } from '../../scripts/schema-model.mjs';
// @ts-expect-error plain ESM module without types
import { renderEventTypes } from '../../scripts/gen-event-types.mjs';

const ROOT = join(import.meta.dirname, '..', '..');
const SPEC = join(ROOT, '..', 'shared', 'spec');

describe('generated event types', () => {
  it('are what the generator makes from the schema facts', () => {
    const facts = JSON.parse(readFileSync(join(SPEC, 'teleport-events-schema.json'), 'utf8'));
    const typeTable = JSON.parse(readFileSync(join(SPEC, 'event-type-to-message.json'), 'utf8'));
    expect(readFileSync(join(ROOT, 'lib', 'events', 'event-types.generated.ts'), 'utf8')).toBe(renderEventTypes(buildSchema(facts, typeTable)));
  });

  it('describe decoded events (compile-time check, with a runtime shape check)', () => {
    const start = fromEventFields({ event: 'session.start', user: 'alice', size: '80:25' }) as EventTypes.SessionStart;
    const asAuditEvent: AuditEvent = start;
    const login: string = start.User.Login;
    const size: string = start.TerminalSize;
    expect([asAuditEvent.$type, login, size]).toEqual(['SessionStart', '', '80:25']);
    const typed: EventTypes.TypedEvent = start;
    expect(Object.keys(typed).sort()).toEqual(['$type', ...Object.keys(zeroMessage(getMessage('SessionStart')))].sort());
  });
});
