/**
 * The ingestion's Prometheus metrics (served at /metrics): what came in, what was stored, what
 * was a duplicate, what was dead-lettered and why, and how big and how slow the batches are.
 * One registry per hub (not prom-client's global one), so that tests and several pipelines in
 * one process never mix their figures.
 */
import { Counter, Histogram, Registry } from 'prom-client'

export class IngestionMetrics {
  readonly registry: Registry
  readonly received: Counter<'format'>
  readonly stored: Counter
  readonly duplicates: Counter
  readonly ignoredFields: Counter
  readonly deadLetters: Counter<'reason'>
  readonly batchSize: Histogram
  readonly batchSeconds: Histogram
  readonly commitLatency: Histogram

  constructor(registry = new Registry()) {
    this.registry = registry
    this.received = new Counter({
      name: 'territoire_ingest_messages_received_total',
      help: 'MQTT messages received by the ingestion, by format',
      labelNames: ['format'],
      registers: [registry],
    })
    this.stored = new Counter({ name: 'territoire_ingest_readings_stored_total', help: 'Readings stored (new rows)', registers: [registry] })
    this.duplicates = new Counter({
      name: 'territoire_ingest_readings_duplicate_total',
      help: 'Readings already stored (same sensor and time), e.g. a re-delivered uplink: one row kept',
      registers: [registry],
    })
    this.ignoredFields = new Counter({
      name: 'territoire_ingest_fields_ignored_total',
      help: 'Decoded uplink fields that no sensor of the device stores (status flags, diagnostics)',
      registers: [registry],
    })
    this.deadLetters = new Counter({
      name: 'territoire_ingest_dead_letters_total',
      help: 'Messages refused and kept in the dead letter, by reason',
      labelNames: ['reason'],
      registers: [registry],
    })
    this.batchSize = new Histogram({
      name: 'territoire_ingest_batch_messages',
      help: 'Messages per committed batch',
      buckets: [1, 10, 50, 100, 250, 500, 1000, 2000, 5000],
      registers: [registry],
    })
    this.batchSeconds = new Histogram({
      name: 'territoire_ingest_batch_seconds',
      help: 'Time to decode, resolve and commit one batch',
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [registry],
    })
    this.commitLatency = new Histogram({
      name: 'territoire_ingest_receive_to_commit_seconds',
      help: 'Time from receiving a message to the commit that stored it',
      buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    })
  }
}
