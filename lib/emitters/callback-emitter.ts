// CallbackEmitter: calls a function for every event; used to inject failures in tests.
import { badParameter } from '../errors.js';
import type { AuditEventInput } from '../events/event.js';
import type { CallOptions } from '../call-options.js';
import type { Emitter } from './emitter.js';

export class CallbackEmitter implements Emitter {
  constructor(private readonly onEmitAuditEvent: (event: AuditEventInput, options?: CallOptions) => Promise<void> | void) {
    if (typeof onEmitAuditEvent !== 'function') throw badParameter('CallbackEmitter needs onEmitAuditEvent');
  }

  async emitAuditEvent(event: AuditEventInput, options?: CallOptions): Promise<void> {
    await this.onEmitAuditEvent(event, options);
  }
}
