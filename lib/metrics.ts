// Prometheus counters with the seed's names, on a registry of our own so they never clash with an
// application's default registry; merge it with `Registry.merge([metricsRegistry, ...])`.
import { Counter, Registry } from 'prom-client';

export const metricsRegistry = new Registry();

/** audit_failed_emit_events: events that could not be emitted. */
export const auditFailedEmitEvents = new Counter({
  name: 'audit_failed_emit_events',
  help: 'Number of times emitting an audit event failed.',
  registers: [metricsRegistry],
});

// The trimmed-event counters sit in Teleport's metric namespace ("teleport_"), the failed-emit one
// does not: the same names as Teleport's, so its dashboards work unchanged.

/** teleport_audit_stored_trimmed_events: events trimmed to fit before they were stored. */
export const auditStoredTrimmedEvents = new Counter({
  name: 'teleport_audit_stored_trimmed_events',
  help: 'Number of events that were trimmed before being stored.',
  registers: [metricsRegistry],
});

/** teleport_audit_queried_trimmed_events: events trimmed to fit a query response. */
export const auditQueriedTrimmedEvents = new Counter({
  name: 'teleport_audit_queried_trimmed_events',
  help: 'Number of events that were trimmed before being returned from a query.',
  registers: [metricsRegistry],
});
