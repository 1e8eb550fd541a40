// Pairs a preparer with a recorder (the seed's SessionPreparerRecorder): events are stamped by the
// preparer, then recorded as they are.
import type { AuditEvent, AuditEventInput } from '../events/event.js';
import { NoOpPreparer, type SessionEventPreparer } from '../events/preparer.js';

export interface SessionRecorder {
  recordPreparedEvent(event: AuditEvent): Promise<void>;
}

export interface SessionPreparerRecorder extends SessionEventPreparer, SessionRecorder {}

/** A recorder that stamps with `preparer` (SessionWriter is one already). */
export function newSessionPreparerRecorder(preparer: SessionEventPreparer, recorder: SessionRecorder): SessionPreparerRecorder {
  return {
    prepareSessionEvent: (event) => preparer.prepareSessionEvent(event),
    recordPreparedEvent: (event) => recorder.recordPreparedEvent(event),
  };
}

/** A recorder whose events are recorded unchanged. */
export function withNoOpPreparer(recorder: SessionRecorder): SessionPreparerRecorder {
  return newSessionPreparerRecorder(new NoOpPreparer(), recorder);
}

/** Stamps an event and records it (the seed's SetupAndRecordEvent). */
export async function setupAndRecordEvent(recorder: SessionPreparerRecorder, event: AuditEventInput): Promise<void> {
  await recorder.recordPreparedEvent(recorder.prepareSessionEvent(event));
}
