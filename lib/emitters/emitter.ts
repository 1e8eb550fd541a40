// The emitter contract (the seed's apievents.Emitter): something that accepts audit events.
import type { AuditEventInput } from '../events/event.js';

export interface EmitOptions {
  signal?: AbortSignal;
}

export interface Emitter {
  emitAuditEvent(event: AuditEventInput, options?: EmitOptions): Promise<void>;
}
