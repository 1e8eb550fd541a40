// Teleport's ValidateServerMetadata: a server may only emit events that name it (directly, or as
// the proxy that forwarded them), and the namespace must be a valid Teleport namespace.
import { badParameter } from '../errors.js';
import type { AuditEventInput } from './event.js';
import { embedded } from './event-getters.js';

const VALID_NAMESPACE = /^[A-Za-z0-9]+$/;

/** Teleport's types.IsValidNamespace. */
export function isValidNamespace(namespace: string): boolean {
  return VALID_NAMESPACE.test(namespace);
}

/** Throws BAD_PARAMETER when `serverId` may not emit `event`; events without ServerMetadata pass. */
export function validateServerMetadata(event: AuditEventInput, serverId: string, isProxy = false): void {
  const server = embedded(event, 'ServerMetadata');
  if (!server) return;
  const eventServerId = typeof server.ServerID === 'string' ? server.ServerID : '';
  const forwardedBy = typeof server.ForwardedBy === 'string' ? server.ForwardedBy : '';
  const own = forwardedBy === '' && eventServerId === serverId;
  const forwarded = isProxy && forwardedBy === serverId;
  if (!own && !forwarded) {
    throw badParameter(`server ${JSON.stringify(serverId)} can't emit event with server ID ${JSON.stringify(eventServerId)}`);
  }
  const namespace = typeof server.ServerNamespace === 'string' ? server.ServerNamespace : '';
  if (namespace !== '' && !isValidNamespace(namespace)) throw badParameter(`invalid namespace ${JSON.stringify(namespace)}`);
}
