// PostgresLog's Prometheus metrics, on the library's own registry (lib/metrics.ts).
import { Counter, Histogram } from 'prom-client';
import { metricsRegistry } from '../metrics.js';

const buckets = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

export const postgresWriteSeconds = new Histogram({
  name: 'audit_postgres_write_seconds',
  help: 'Latency of one INSERT of audit events into PostgreSQL (one statement may carry many events).',
  buckets,
  registers: [metricsRegistry],
});

export const postgresWrittenEvents = new Counter({
  name: 'audit_postgres_written_events_total',
  help: 'Audit events written to PostgreSQL.',
  registers: [metricsRegistry],
});

export const postgresWriteErrors = new Counter({
  name: 'audit_postgres_write_errors_total',
  help: 'Audit events whose write to PostgreSQL failed (after retries).',
  registers: [metricsRegistry],
});

export const postgresWriteRetries = new Counter({
  name: 'audit_postgres_write_retries_total',
  help: 'Writes to PostgreSQL tried again after a connection error.',
  registers: [metricsRegistry],
});

export const postgresSearchSeconds = new Histogram({
  name: 'audit_postgres_search_seconds',
  help: 'Latency of one page of an audit event search in PostgreSQL.',
  buckets,
  registers: [metricsRegistry],
});

export const postgresSearchErrors = new Counter({
  name: 'audit_postgres_search_errors_total',
  help: 'Audit event searches in PostgreSQL that failed.',
  registers: [metricsRegistry],
});
