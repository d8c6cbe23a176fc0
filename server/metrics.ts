/**
 * Metrics through prom-client: one registry per server (no module-level singleton: tests run
 * several servers in one process), the default process metrics, and the series below, made on
 * first use by name. `value()` answers a series' current value synchronously (tests, the
 * benchmark), from a copy kept beside prom-client's own: a Map lookup per increment.
 */
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';

type Labels = Record<string, string | number>;

/** Latency buckets in seconds for update-to-durable and fan-out: 0.5 ms … 5 s. */
const LATENCY_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

export class Metrics {
  readonly registry = new Registry();
  private readonly counters = new Map<string, Counter>();
  private readonly gauges = new Map<string, Gauge>();
  private readonly histograms = new Map<string, Histogram>();
  private readonly values = new Map<string, number>();

  constructor(options: { defaultMetrics?: boolean } = {}) {
    if (options.defaultMetrics !== false) collectDefaultMetrics({ register: this.registry });
  }

  inc(name: string, help: string, labels?: Labels, by = 1): void {
    let c = this.counters.get(name);
    if (!c) {
      c = new Counter({ name, help, labelNames: labels ? Object.keys(labels) : [], registers: [this.registry] });
      this.counters.set(name, c);
    }
    if (labels) c.inc(labels, by);
    else c.inc(by);
    const key = seriesKey(name, labels);
    this.values.set(key, (this.values.get(key) ?? 0) + by);
  }

  set(name: string, help: string, value: number, labels?: Labels): void {
    let g = this.gauges.get(name);
    if (!g) {
      g = new Gauge({ name, help, labelNames: labels ? Object.keys(labels) : [], registers: [this.registry] });
      this.gauges.set(name, g);
    }
    if (labels) g.set(labels, value);
    else g.set(value);
    this.values.set(seriesKey(name, labels), value);
  }

  /** Records one latency, in seconds, in a histogram with LATENCY_BUCKETS. */
  observe(name: string, help: string, seconds: number, labels?: Labels): void {
    let h = this.histograms.get(name);
    if (!h) {
      h = new Histogram({ name, help, buckets: LATENCY_BUCKETS, labelNames: labels ? Object.keys(labels) : [], registers: [this.registry] });
      this.histograms.set(name, h);
    }
    if (labels) h.observe(labels, seconds);
    else h.observe(seconds);
  }

  /** Current value of a counter or gauge (tests and the benchmark read it). */
  value(name: string, labels?: Labels): number {
    return this.values.get(seriesKey(name, labels)) ?? 0;
  }

  render(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}

/** Series without labels (most calls, some once per message) take no allocation. */
function seriesKey(name: string, labels: Labels | undefined): string {
  if (labels === undefined) return name;
  const entries = Object.entries(labels);
  if (entries.length === 0) return name;
  return `${name}{${entries.map(([k, v]) => `${k}=${String(v)}`).join(',')}}`;
}

export const METRIC = {
  connections: 'mobflow_ws_connections',
  rooms: 'mobflow_rooms_loaded',
  updatesStored: 'mobflow_updates_stored_total',
  refused: 'mobflow_refused_total',
  closed: 'mobflow_ws_closed_total',
  compactions: 'mobflow_compactions_total',
  httpRequests: 'mobflow_http_requests_total',
  wsMessages: 'mobflow_ws_messages_total',
  idleCollections: 'mobflow_idle_gc_total',
  dropCollections: 'mobflow_drop_gc_total',
  collectionScheduled: 'mobflow_gc_scheduled',
  storeReady: 'mobflow_store_ready',
  /** Seconds from an update's arrival to its durable append (histogram). */
  updateDurable: 'mobflow_update_durable_seconds',
  /** Seconds from a peer instance's durable append to its broadcast here (histogram, cluster). */
  fanOut: 'mobflow_fanout_seconds',
  leaseChanges: 'mobflow_lease_changes_total',
  engineErrors: 'mobflow_engine_errors_total',
  hookDeliveries: 'mobflow_webhook_deliveries_total',
  mobshRequests: 'mobflow_mobsh_requests_total',
  chatSent: 'mobflow_chat_sent_total',
  chatDropped: 'mobflow_chat_dropped_total',
} as const;
