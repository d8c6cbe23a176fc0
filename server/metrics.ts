/**
 * A small Prometheus registry: counters and gauges with optional labels, rendered as text.
 * Kept dependency-free; one instance per server (no module-level singleton).
 */
type Labels = Record<string, string | number>;

interface Series {
  help: string;
  type: 'counter' | 'gauge';
  values: Map<string, number>;
}

export class Metrics {
  private readonly series = new Map<string, Series>();

  private get(name: string, help: string, type: Series['type']): Series {
    let s = this.series.get(name);
    if (!s) {
      s = { help, type, values: new Map() };
      this.series.set(name, s);
    }
    return s;
  }

  inc(name: string, help: string, labels?: Labels, by = 1): void {
    const s = this.get(name, help, 'counter');
    const key = labelKey(labels);
    s.values.set(key, (s.values.get(key) ?? 0) + by);
  }

  set(name: string, help: string, value: number, labels?: Labels): void {
    this.get(name, help, 'gauge').values.set(labelKey(labels), value);
  }

  /** Current value of a series (tests and the benchmark read it). */
  value(name: string, labels?: Labels): number {
    return this.series.get(name)?.values.get(labelKey(labels)) ?? 0;
  }

  render(): string {
    const out: string[] = [];
    for (const [name, s] of this.series) {
      out.push(`# HELP ${name} ${s.help}`, `# TYPE ${name} ${s.type}`);
      for (const [key, v] of s.values) out.push(`${name}${key} ${v}`);
    }
    return `${out.join('\n')}\n`;
  }
}

/** Series without labels (most calls, some once per message) take no allocation. */
function labelKey(labels: Labels | undefined): string {
  if (labels === undefined) return '';
  const entries = Object.entries(labels);
  if (entries.length === 0) return '';
  return `{${entries.map(([k, v]) => `${k}="${String(v).replace(/["\\\n]/g, '_')}"`).join(',')}}`;
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
  rss: 'process_resident_memory_bytes',
  heapUsed: 'nodejs_heap_used_bytes',
} as const;
