// WriterEmitter: writes each event as one line of Teleport JSON to any Writable (the seed's
// WriterEmitter / WriterLog), waiting for the stream when it asks to.
import type { Writable } from 'node:stream';
import { badParameter } from '../errors.js';
import type { AuditEventInput } from '../events/event.js';
import { marshalEventJson } from '../events/event-json.js';
import type { Emitter } from './emitter.js';

export class WriterEmitter implements Emitter {
  constructor(private readonly writable: Writable) {
    if (!writable || typeof writable.write !== 'function') throw badParameter('WriterEmitter needs a Writable');
  }

  emitAuditEvent(event: AuditEventInput): Promise<void> {
    let line: string;
    try {
      line = `${marshalEventJson(event)}\n`;
    } catch (err) {
      return Promise.reject(err);
    }
    return new Promise((resolve, reject) => {
      this.writable.write(line, (err) => (err ? reject(err) : resolve()));
    });
  }

  /** Ends the underlying stream. */
  close(): Promise<void> {
    return new Promise((resolve) => this.writable.end(resolve));
  }
}
