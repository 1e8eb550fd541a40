// lib/events: the event catalogue, typed events, their OneOf wire form and Teleport's JSON form.
export * from './constants.generated.js';
export { eventCatalogue, severityOfCode } from './catalogue.js';
export type { EventCatalogue, EventCodeInfo, EventTypeInfo, Severity } from './catalogue.js';
export { isOpaqueEvent, messageOf, oneofByMessage, oneofByNumber, typeToMessage } from './event.js';
export type { AuditEvent, AuditEventInput, EventMetadata, OpaqueEvent } from './event.js';
export { decodeEvent, encodeEvent, writeEvent } from './oneof.js';
export { Timestamp, GO_ZERO_SECONDS } from './timestamp.js';
export type { TimeInput } from './timestamp.js';
export { EventFields, fromEventFields, isEventFields, toEventFields } from './event-fields.js';
export { marshalEventJson } from './event-json.js';
export { eventSize } from './event-size.js';
export { trimStr, trimToMaxSize, trimmablePaths } from './trim.js';
export { getSessionId, getTeleportUser } from './event-getters.js';
export { byTimeAndIndex } from './by-time-and-index.js';
export { isValidNamespace, validateServerMetadata } from './validate-server-metadata.js';
export { isPermanentEmitError } from './permanent-error.js';
/** One type per event message (EventTypes.SessionStart, EventTypes.TypedEvent, ...). */
export type * as EventTypes from './event-types.generated.js';
