/**
 * Watch-health series of `kontract reconcile --watch` (docs/watch.md), in the registry of the
 * run's RunMetrics (run-metrics.ts), so /metrics, the textfile and the Pushgateway carry them with
 * the run identity labels. Labels are cluster, kind and event type only.
 */
import { Counter, Gauge, Histogram } from 'prom-client';
import type { WatchEvent, WatchHealth } from '../k8s/watch.js';
import type { WatchHooks, WatchPass } from '../reconcile/watch-loop.js';
import type { RunMetrics } from './run-metrics.js';

export class WatchMetrics {
  private readonly reconnects: Counter<'cluster' | 'kind'>;
  private readonly relists: Counter<'cluster' | 'kind'>;
  private readonly events: Counter<'cluster' | 'kind' | 'type'>;
  private readonly connected: Gauge<'cluster' | 'kind'>;
  private readonly lag: Histogram;
  private readonly passes: Counter<'pass' | 'reason'>;

  constructor(private readonly run: RunMetrics) {
    const registers = [run.registry];
    this.reconnects = new Counter({ name: 'kontract_watch_reconnects_total', help: 'Watch streams re-opened after they broke (network error, apiserver gone, error status)', labelNames: ['cluster', 'kind'] as const, registers });
    this.relists = new Counter({ name: 'kontract_watch_relists_total', help: 'Watches restarted from a fresh resourceVersion after 410 Gone (a full pass follows)', labelNames: ['cluster', 'kind'] as const, registers });
    this.events = new Counter({ name: 'kontract_watch_events_total', help: 'Watch events received on owned objects', labelNames: ['cluster', 'kind', 'type'] as const, registers });
    this.connected = new Gauge({ name: 'kontract_watch_connected', help: '1 while the watch of (cluster, kind) has an open stream', labelNames: ['cluster', 'kind'] as const, registers });
    this.lag = new Histogram({
      name: 'kontract_watch_event_lag_seconds', help: 'From a watch event (or data change) arriving to the end of the pass that planned and applied it',
      buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30], registers,
    });
    this.passes = new Counter({ name: 'kontract_watch_passes_total', help: 'Passes of the watch loop: full (start, resync, relist, data) or changes (events, data)', labelNames: ['pass', 'reason'] as const, registers });
  }

  /** The hooks to hand to runWatchLoop. */
  readonly hooks: WatchHooks = {
    onHealth: (cluster: string, kind: string, h: WatchHealth) => {
      if (h.kind === 'reconnect') {
        this.reconnects.inc({ cluster, kind });
        this.connected.set({ cluster, kind }, 0);
      } else if (h.kind === 'relist') {
        this.relists.inc({ cluster, kind });
      } else if (h.kind === 'connected') {
        this.connected.set({ cluster, kind }, 1);
      } else if (h.kind === 'unserved') {
        this.connected.set({ cluster, kind }, 0);
      }
    },
    onEvent: (cluster: string, kind: string, e: WatchEvent) => { this.events.inc({ cluster, kind, type: e.type }); },
    onLag: (seconds: number) => { this.lag.observe(seconds); },
    onRequest: (cluster: string, verb: 'list' | 'watch') => { this.run.onRequest(cluster, verb); },
  };

  /** Counts a pass (the reason's first word: start, resync, relist, data, events). */
  recordPass(pass: WatchPass): void {
    this.passes.inc({ pass: pass.kind, reason: pass.reason.split(' ')[0] ?? pass.reason });
  }
}
