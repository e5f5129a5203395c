/** What app.ts injects into the gateway. */
import type { AuthThrottle } from '../auth/throttle.ts';
import type { SandboxTokens } from '../auth/tokens.ts';
import type { SandboxStatus } from '../../contract/schemas.ts';
import type { UpstreamAgents } from '../upstream/types.ts';
import type { HistorySink } from './history.ts';
import type { GatewayLogger } from './types.ts';
import type { UpstreamTimeouts } from './upstream-errors.ts';

export interface GatewayOptions {
  /** Interface to listen on; loopback unless the engine serves other machines. */
  host: string;
  tokens: SandboxTokens;
  /** Current state of a sandbox, read on every request (so pause/stop take effect at once). */
  lookup(id: string): { status: SandboxStatus; socketPath: string } | null;
  history?: HistorySink;
  /** Browser origins allowed to call agents (the dashboard's); `*` allows any. */
  corsOrigins: string[];
  log?: GatewayLogger;
  /** Brake on forged tokens per client address: 429 + Retry-After once it is empty. */
  authThrottle?: AuthThrottle;
  /** Largest JSON request body forwarded (default 32 MiB: `/files/write` carries base64 content). */
  jsonBodyLimit?: number;
  /** Largest WebSocket frame relayed either way (default 16 MiB). */
  maxFrameBytes?: number;
  /** WebSocket clients are pinged this often and cut when silent (default 30 s). */
  heartbeatMs?: number;
  /** Gap between frames of a burst sent to SDK clients, 0 to disable (default 5 ms; see ws-outbox.ts). */
  sdkFramePacingMs?: number;
  /** Sandboxes on an upstream backend: their traffic goes to the upstream's agent host (decision 0014). */
  upstream?: UpstreamAgents;
  /** Timeouts towards upstream agent hosts (defaults: connect 5 s, response head 15 min). */
  upstreamTimeouts?: Partial<UpstreamTimeouts>;
}
