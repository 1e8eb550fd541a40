// Prometheus counters with the seed's names, on a registry of our own so they never clash with an
// application's default registry; merge it with `Registry.merge([metricsRegistry, ...])`.
//
// Counter and Registry come from their own modules: prom-client's index also loads its default
// metrics and OpenTelemetry, which took 0.3-0.6 s of a CLI start on a busy machine (the same classes:
// prom-client's index re-exports these modules).
import { createRequire } from 'node:module';
import type * as PromClient from 'prom-client';

const require = createRequire(import.meta.url);
const Counter = require('prom-client/lib/counter') as typeof PromClient.Counter;
const Registry = require('prom-client/lib/registry') as typeof PromClient.Registry;

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
