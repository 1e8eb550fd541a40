// The emitter contract (the seed's apievents.Emitter): something that accepts audit events.
import type { CallOptions } from '../call-options.js';
import type { AuditEventInput } from '../events/event.js';

export interface Emitter {
  emitAuditEvent(event: AuditEventInput, options?: CallOptions): Promise<void>;
}
