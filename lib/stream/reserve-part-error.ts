// The uploader could not reserve the next part (Teleport's uploaderReservePartErrorMessage: a full
// disk, a quota): the stream cannot take more parts at all, so a session writer gives up instead
// of resuming. Recognised by its class, never by its message; the code is the uploader's own.
import { AuditcastError, type ErrorCode } from '../errors.js';

export class ReservePartError extends AuditcastError {
  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
    this.name = 'ReservePartError';
  }
}

export function isReservePartError(err: unknown): err is ReservePartError {
  return err instanceof ReservePartError;
}
