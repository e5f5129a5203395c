/**
 * The backends the engine serves sandboxes from (decision 0014): `local` and each configured
 * upstream, with the health `GET /v1/backends` shows. A background probe (unref'd timer, bounded
 * timeout) keeps each upstream's health current; real forwarded calls feed it too.
 */
import type { Backend } from '../../contract/schemas.ts';
import { rfc3339 } from '../../contract/wire.ts';
import { badRequest, type HttpError } from '../errors.ts';
import { UpstreamClient } from './client.ts';
import { LOCAL_BACKEND, type UpstreamConfig } from './config.ts';

export const PROBE_INTERVAL_MS = 10_000;
export const PROBE_TIMEOUT_MS = 5_000;

export class Backends {
  readonly upstreams: UpstreamClient[];
  readonly defaultName: string;
  #timer: NodeJS.Timeout | null = null;
  #probing: Promise<void> | null = null;

  constructor(
    configs: UpstreamConfig[],
    defaultName: string = configs[0]?.name ?? LOCAL_BACKEND,
    timeoutMs?: number,
    log?: { info(msg: string): void; warn(msg: string): void },
  ) {
    this.upstreams = configs.map((c) => new UpstreamClient(c, timeoutMs));
    this.defaultName = defaultName;
    // Each change of a backend's state is one log line: a refused key or an outage shows up in
    // the engine's output, not only in Settings.
    for (const u of this.upstreams)
      u.onStatus = (h) =>
        h.status === 'ok'
          ? log?.info(`Backend "${u.name}" is reachable`)
          : log?.warn(`Backend "${u.name}" is ${h.status}: ${h.message ?? 'no answer'}`);
  }

  get enabled(): boolean {
    return this.upstreams.length > 0;
  }

  names(): string[] {
    return [LOCAL_BACKEND, ...this.upstreams.map((u) => u.name)];
  }

  upstream(name: string): UpstreamClient | null {
    return this.upstreams.find((u) => u.name === name) ?? null;
  }

  /** A `backend` a client named: `local`, an upstream, or 400 listing the choices. */
  check(name: string): UpstreamClient | null {
    if (name === LOCAL_BACKEND) return null;
    const u = this.upstream(name);
    if (!u) throw this.unknown(name);
    return u;
  }

  unknown(name: string): HttpError {
    // At most 64 characters, printable ASCII only: the name is the client's, the message may be shown.
    const shown = name.slice(0, 64).replace(/[^\x20-\x7e]/g, '?');
    return badRequest(`Unknown backend "${shown}": this engine has ${this.names().join(', ')}`, {
      backends: this.names(),
    });
  }

  describe(): Backend[] {
    const local: Backend = {
      object: 'backend',
      name: LOCAL_BACKEND,
      kind: 'local',
      url: null,
      default: this.defaultName === LOCAL_BACKEND,
      status: 'ok',
      latency_ms: 0,
      checked_at: rfc3339(),
      message: null,
    };
    return [
      local,
      ...this.upstreams.map((u): Backend => ({
        object: 'backend',
        name: u.name,
        kind: 'upstream',
        url: u.config.url,
        default: this.defaultName === u.name,
        status: u.health.status,
        latency_ms: u.health.status === 'down' ? null : u.health.latencyMs,
        checked_at: u.health.checkedAt,
        message: u.health.message,
      })),
    ];
  }

  /** Probe every upstream once (an authenticated one-item list: reachability and the key). */
  probe(): Promise<void> {
    this.#probing ??= Promise.allSettled(
      this.upstreams.map((u) =>
        // call() records the answer (or the failure) in the backend's health.
        u.call({ path: '/v1/sandboxes?limit=1', timeoutMs: PROBE_TIMEOUT_MS }).catch(() => undefined),
      ),
    ).then(() => {
      this.#probing = null;
    });
    return this.#probing;
  }

  start(intervalMs = PROBE_INTERVAL_MS): void {
    if (!this.enabled || this.#timer) return;
    void this.probe();
    this.#timer = setInterval(() => void this.probe(), intervalMs);
    this.#timer.unref();
  }

  close(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
  }
}
