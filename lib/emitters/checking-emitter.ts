// CheckingEmitter: completes and checks the common fields of every event before passing it on.
import { checkOptions, type OptionsSchema } from '../options.js';
import { checkAndSetEventFields } from '../events/event-defaults.js';
import type { AuditEventInput } from '../events/event.js';
import type { CallOptions } from '../call-options.js';
import type { Emitter } from './emitter.js';

export interface CheckingEmitterOptions {
  inner: Emitter;
  clusterName?: string;
  now?: () => Date;
  uid?: () => string;
}

const CHECKING_EMITTER_OPTIONS: OptionsSchema<CheckingEmitterOptions> = {
  inner: { kind: 'object', methods: ['emitAuditEvent'], required: true },
  clusterName: { kind: 'string' },
  now: { kind: 'function' },
  uid: { kind: 'function' },
};

export class CheckingEmitter implements Emitter {
  constructor(private readonly options: CheckingEmitterOptions) {
    checkOptions<CheckingEmitterOptions>('CheckingEmitter', options, CHECKING_EMITTER_OPTIONS);
  }

  emitAuditEvent(event: AuditEventInput, options?: CallOptions): Promise<void> {
    let checked: AuditEventInput;
    try {
      checked = checkAndSetEventFields(event, this.options);
    } catch (err) {
      return Promise.reject(err);
    }
    return this.options.inner.emitAuditEvent(checked, options);
  }
}
