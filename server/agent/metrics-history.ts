/**
 * A short history of the sandbox's own resource use, sampled by the agent every few seconds into a
 * ring buffer, so a metrics chart opened in the dashboard starts with the last half hour instead of
 * an empty axis. CPU, memory and disk come from usage.ts; network from /proc/net/dev, which inside
 * the sandbox's network namespace counts only its own interfaces.
 */
import { readFileSync } from 'node:fs';
import { nowIso, sendJson, type Router } from './http.ts';
import type { AgentState } from './state.ts';
import { usage } from './usage.ts';

export const SAMPLE_INTERVAL_MS = 5000;
export const HISTORY_CAPACITY = 360; // 30 minutes at 5 s

export interface MetricsSample {
  /** Unix time, whole seconds. */
  t: number;
  cpu_percent: number;
  memory_bytes: number;
  memory_limit_bytes: number;
  disk_bytes: number;
  disk_total_bytes: number;
  /** Bytes per second over the last interval, all interfaces but loopback (null: not measurable). */
  net_rx_bps: number | null;
  net_tx_bps: number | null;
}

/** Received and sent bytes summed over every non-loopback interface in /proc/net/dev. */
export function parseNetDev(text: string): { rx: number; tx: number } | null {
  let rx = 0;
  let tx = 0;
  let found = false;
  for (const line of text.split('\n').slice(2)) {
    const colon = line.indexOf(':');
    if (colon < 0) continue;
    const name = line.slice(0, colon).trim();
    if (name === 'lo') continue;
    const f = line
      .slice(colon + 1)
      .trim()
      .split(/\s+/)
      .map(Number);
    if (f.length < 9 || !Number.isFinite(f[0]) || !Number.isFinite(f[8])) continue;
    rx += f[0] ?? 0;
    tx += f[8] ?? 0;
    found = true;
  }
  return found ? { rx, tx } : null;
}

export class MetricsHistory {
  readonly #samples: MetricsSample[] = [];
  #lastNet: { at: number; rx: number; tx: number } | null = null;
  #timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly state: AgentState,
    private readonly capacity = HISTORY_CAPACITY,
  ) {}

  start(intervalMs = SAMPLE_INTERVAL_MS): void {
    if (this.#timer) return;
    void this.sample();
    this.#timer = setInterval(() => void this.sample(), intervalMs);
    this.#timer.unref();
  }

  stop(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
  }

  async sample(): Promise<MetricsSample> {
    const u = await usage(this.state);
    const now = Date.now();
    let rxBps: number | null = null;
    let txBps: number | null = null;
    let net: { rx: number; tx: number } | null;
    try {
      net = parseNetDev(readFileSync('/proc/net/dev', 'utf8'));
    } catch {
      net = null;
    }
    if (net) {
      const prev = this.#lastNet;
      if (prev && now > prev.at) {
        const secs = (now - prev.at) / 1000;
        rxBps = Math.max(0, Math.round((net.rx - prev.rx) / secs));
        txBps = Math.max(0, Math.round((net.tx - prev.tx) / secs));
      }
      this.#lastNet = { at: now, ...net };
    }
    const s: MetricsSample = {
      t: Math.floor(now / 1000),
      cpu_percent: u.cpu.usage_percent,
      memory_bytes: u.memory.used,
      memory_limit_bytes: u.memory.total,
      disk_bytes: u.disk.used,
      disk_total_bytes: u.disk.total,
      net_rx_bps: rxBps,
      net_tx_bps: txBps,
    };
    this.#samples.push(s);
    if (this.#samples.length > this.capacity) this.#samples.splice(0, this.#samples.length - this.capacity);
    return s;
  }

  /** Samples newer than `since` (Unix seconds), oldest first; at most `limit` of the newest. */
  list(since = 0, limit = this.capacity): MetricsSample[] {
    const out = this.#samples.filter((s) => s.t > since);
    return out.slice(Math.max(0, out.length - limit));
  }
}

/** GET /metrics/history?since=<unix s>&limit=<n>: the ring buffer (limit=1 is the latest sample). */
export function metricsHistoryRoutes(router: Router, history: MetricsHistory): void {
  router.on('GET', '/metrics/history', (ctx) => {
    const since = Number(ctx.url.searchParams.get('since') ?? '0');
    const limit = Number(ctx.url.searchParams.get('limit') ?? String(HISTORY_CAPACITY));
    const samples = history.list(
      Number.isFinite(since) && since > 0 ? since : 0,
      Number.isInteger(limit) && limit > 0 ? Math.min(limit, HISTORY_CAPACITY) : HISTORY_CAPACITY,
    );
    sendJson(ctx, 200, {
      samples,
      interval_seconds: SAMPLE_INTERVAL_MS / 1000,
      capacity: HISTORY_CAPACITY,
      timestamp: nowIso(),
    });
  });
}
