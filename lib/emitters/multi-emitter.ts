// MultiEmitter: emits every event to all its emitters; fails with all their errors together.
import type { AuditEventInput } from '../events/event.js';
import type { CallOptions } from '../call-options.js';
import type { Emitter } from './emitter.js';

export class MultiEmitter implements Emitter {
  private readonly emitters: Emitter[];

  constructor(...emitters: Emitter[]) {
    this.emitters = emitters;
  }

  async emitAuditEvent(event: AuditEventInput, options?: CallOptions): Promise<void> {
    const results = await Promise.allSettled(this.emitters.map((e) => e.emitAuditEvent(event, options)));
    const errors = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected').map((r) => r.reason);
    if (errors.length === 1) throw errors[0];
    if (errors.length > 1) throw new AggregateError(errors, `${errors.length} of ${this.emitters.length} emitters failed`);
  }
}
