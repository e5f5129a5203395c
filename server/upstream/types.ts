/**
 * The seam between the upstream control plane (backends, `/v1` forwarding, the id → backend map)
 * and the gateway that carries agent traffic to an upstream sandbox (decision 0014).
 */

/** Where the gateway sends one upstream sandbox's agent traffic. */
export interface UpstreamAgentTarget {
  /** The backend's configured name (never `local`). */
  backend: string;
  /** The upstream's `public_host` for this sandbox, e.g. `https://7777-abc.eu-1.vms.hopx.dev`. */
  publicHost: string;
  /**
   * The upstream's sandbox JWT, refreshed server-side (`POST /v1/sandboxes/{id}/token/refresh`
   * with the server-held key) when missing or within an hour of expiry. Never sent to clients.
   */
  token(opts?: { forceRefresh?: boolean }): Promise<string>;
}

/** What the gateway asks the upstream side about a sandbox id it does not run locally. */
export interface UpstreamAgents {
  /** The target for a sandbox known to be on an upstream, or null when it is not (then 404). */
  target(sandboxId: string): UpstreamAgentTarget | null;
  /** The upstream answered 404 for the sandbox: forget it (it was deleted behind the engine's back). */
  forget(sandboxId: string): void;
}
