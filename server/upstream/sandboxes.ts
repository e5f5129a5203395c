/**
 * Upstream sandboxes as the engine's clients see them (decision 0014): which backend holds an id,
 * the rewrite of the upstream's Sandbox objects (the engine's own agent URL and an engine-issued
 * JWT in place of the upstream's, which stays server-side), and forgetting sandboxes that are gone.
 * It is also the `UpstreamAgents` seam the gateway asks for agent traffic.
 */
import type { SandboxTokens } from '../auth/tokens.ts';
import type { GatewayPorts } from '../control-plane/gateway-port.ts';
import type { PortAllocator } from '../control-plane/ports.ts';
import type { SandboxUrls } from '../control-plane/view.ts';
import { getSandbox } from '../store/sandboxes.ts';
import {
  deleteUpstreamSandbox,
  getUpstreamSandbox,
  upsertUpstreamSandbox,
  upstreamSandboxesWithPorts,
  type UpstreamSandboxRow,
} from '../store/upstream-sandboxes.ts';
import type { Db } from '../store/db.ts';
import type { Backends } from './backends.ts';
import type { UpstreamClient } from './client.ts';
import { refusePublicHost } from './public-host.ts';
import type { UpstreamAgentTarget, UpstreamAgents } from './types.ts';

/** The upstream's JWT is refreshed when less than this is left (the SDKs use the same hour). */
const UPSTREAM_TOKEN_MARGIN_MS = 3600_000;

export interface UpstreamSandboxesDeps {
  db: Db;
  backends: Backends;
  tokens: SandboxTokens;
  gateway: GatewayPorts;
  ports: PortAllocator;
  urls: SandboxUrls;
  /** Under a public URL agents are reached by host name: no gateway port is opened. */
  hostNames: boolean;
  log?: { warn(obj: object, msg: string): void };
  /** Whether a port is one of the engine's own (API, frames, gateway range): never a public_host. */
  ownPort?: (port: number) => boolean;
}

/** Ids no upstream had are not asked about again for this long (a flood of repeats costs nothing). */
export const NEGATIVE_TTL_MS = 10_000;
const NEGATIVE_MAX = 10_000;

type Obj = Record<string, unknown>;
const iso = (d: Date) => d.toISOString().replace(/\.\d{3}Z$/, 'Z');

export class UpstreamSandboxes implements UpstreamAgents {
  readonly #refreshing = new Map<string, Promise<string>>();
  readonly #opening = new Map<string, Promise<number | null>>();
  /** id → when "no upstream has it" stops being believed (insertion order = oldest first). */
  readonly #missing = new Map<string, number>();

  constructor(readonly deps: UpstreamSandboxesDeps) {}

  /** A local record (even a deleted one) keeps an id local. */
  isLocal(id: string): boolean {
    return getSandbox(this.deps.db, id) !== null;
  }

  /**
   * The upstream holding `id`: the remembered one, else the first upstream answering 200 to
   * `GET /v1/sandboxes/{id}` (remembered from then on). Null when none has it. When an upstream
   * could not be asked and none had it, its 502/504 is thrown (we cannot say "not found").
   */
  async resolve(id: string, requestId?: string): Promise<UpstreamClient | null> {
    const row = getUpstreamSandbox(this.deps.db, id);
    const known = row ? this.deps.backends.upstream(row.backend) : null;
    if (known) return known;
    const until = this.#missing.get(id);
    if (until !== undefined && until > Date.now()) return null;
    this.#missing.delete(id);
    let failure: unknown = null;
    for (const u of this.deps.backends.upstreams) {
      try {
        const a = await u.call({ path: `/v1/sandboxes/${encodeURIComponent(id)}`, requestId });
        // Only an answer about this very id counts (and is remembered).
        if (a.status === 200 && (a.json as Obj | null)?.id === id && this.remember(u.name, a.json as Obj))
          return u;
      } catch (err) {
        failure ??= err;
      }
    }
    if (failure) throw failure;
    if (this.#missing.size >= NEGATIVE_MAX) this.#missing.delete(this.#missing.keys().next().value as string);
    this.#missing.set(id, Date.now() + NEGATIVE_TTL_MS);
    return null;
  }

  /** Store what the upstream told us about a sandbox (its public_host and JWT, if given). */
  remember(backend: string, s: Obj): UpstreamSandboxRow | null {
    if (typeof s.id !== 'string' || !s.id) return null;
    // An id this engine or another backend already holds is not another upstream's to claim
    // (nor to declare deleted): its traffic would go there, with the client's code and data.
    const prev = getUpstreamSandbox(this.deps.db, s.id);
    if ((prev && prev.backend !== backend) || this.isLocal(s.id)) {
      this.deps.log?.warn({ sandbox_id: s.id, backend }, 'upstream named a sandbox held elsewhere; ignored');
      return null;
    }
    this.#missing.delete(s.id);
    if (s.status === 'deleted' || s.status === 'killed') {
      this.forget(s.id);
      return null;
    }
    let host = typeof s.public_host === 'string' && s.public_host ? s.public_host : null;
    const refused = host && this.#refuseHost(backend, host);
    if (refused) {
      this.deps.log?.warn({ sandbox_id: s.id, backend }, `upstream public_host refused: ${refused}`);
      host = null;
    }
    return upsertUpstreamSandbox(this.deps.db, {
      id: s.id,
      backend,
      ...(host ? { public_host: host } : {}),
      ...(typeof s.auth_token === 'string' && s.auth_token
        ? {
            upstream_token: s.auth_token,
            upstream_token_expires_at: typeof s.token_expires_at === 'string' ? s.token_expires_at : null,
          }
        : {}),
    });
  }

  /**
   * The object a client sees: `backend`, the engine's agent URL in public_host/direct_url, and an
   * engine-issued token in place of the upstream's (a new one when `refresh`). A token, and with
   * it a gateway port, is handed out where the upstream gave one or `token` asks (create, get and
   * refresh, as for local sandboxes: HopX's GET may carry no token, the SDKs still need the URL).
   */
  async present(backend: string, s: Obj, opts: { refresh?: boolean; token?: boolean } = {}): Promise<Obj> {
    const row = this.remember(backend, s);
    const out: Obj = { ...s, backend };
    const hadToken = 'auth_token' in s || opts.token === true;
    delete out.auth_token;
    delete out.token_expires_at;
    if (!row) {
      // Gone, or not this backend's to present: no agent address either.
      delete out.public_host;
      delete out.direct_url;
      return out;
    }
    let port = row.port;
    if (hadToken) {
      port = await this.ensurePort(row);
      const t = await this.engineToken(row.id, opts.refresh === true);
      out.auth_token = t.token;
      out.token_expires_at = t.expiresAt;
    }
    if ('public_host' in s || 'direct_url' in s || hadToken) {
      const url = this.deps.urls.agentUrl(row.id, port);
      out.public_host = url;
      out.direct_url = url;
    }
    return out;
  }

  #refuseHost(backend: string, host: string): string | null {
    const url = this.deps.backends.upstream(backend)?.config.url;
    if (!url) return 'unknown backend';
    return refusePublicHost(host, url, this.deps.ownPort ?? (() => false));
  }

  /** Defence in depth: the upstream's JWT never leaves in a body the engine passes on as-is. */
  scrub(id: string, text: string): string {
    const t = getUpstreamSandbox(this.deps.db, id)?.upstream_token;
    return t && text.includes(t) ? text.split(t).join('[redacted]') : text;
  }

  /** The engine's JWT for an upstream sandbox, re-signed from its issue time while valid. */
  async engineToken(id: string, fresh: boolean): Promise<{ token: string; expiresAt: string }> {
    const issued = getUpstreamSandbox(this.deps.db, id)?.token_issued_at;
    if (issued && !fresh) {
      const t = await this.deps.tokens.issue(id, new Date(issued));
      if (t.expiresAt.getTime() - Date.now() > 60_000) return { token: t.token, expiresAt: iso(t.expiresAt) };
    }
    const now = new Date();
    const t = await this.deps.tokens.issue(id, now);
    const row = getUpstreamSandbox(this.deps.db, id);
    if (row) upsertUpstreamSandbox(this.deps.db, { id, backend: row.backend, token_issued_at: iso(now) });
    return { token: t.token, expiresAt: iso(t.expiresAt) };
  }

  /** The sandbox's local gateway port, opened on first use (none under a public URL). */
  async ensurePort(row: UpstreamSandboxRow): Promise<number | null> {
    if (this.deps.hostNames) return null;
    if (row.port) return row.port;
    let p = this.#opening.get(row.id);
    if (!p) {
      p = this.deps.ports
        .openOnFreePort(row.id, this.deps.gateway)
        .then((port) => {
          const now = getUpstreamSandbox(this.deps.db, row.id);
          if (!now) {
            void this.deps.gateway.close(row.id);
            return null;
          }
          upsertUpstreamSandbox(this.deps.db, { id: row.id, backend: now.backend, port });
          return port;
        })
        .finally(() => this.#opening.delete(row.id));
      this.#opening.set(row.id, p);
    }
    return p;
  }

  /** Reopen the gateway ports upstream sandboxes had before a restart. */
  async restorePorts(): Promise<void> {
    for (const row of upstreamSandboxesWithPorts(this.deps.db)) {
      if (this.deps.hostNames || !row.port) continue;
      try {
        await this.deps.gateway.open(row.id, row.port);
      } catch (err) {
        this.deps.log?.warn({ err, id: row.id }, 'upstream sandbox gateway port not reopened');
        upsertUpstreamSandbox(this.deps.db, { id: row.id, backend: row.backend, port: null });
      }
    }
  }

  // --- UpstreamAgents (the gateway's side) ---

  target(sandboxId: string): UpstreamAgentTarget | null {
    const row = getUpstreamSandbox(this.deps.db, sandboxId);
    const client = row ? this.deps.backends.upstream(row.backend) : null;
    if (!row || !client || !row.public_host) return null;
    return {
      backend: row.backend,
      publicHost: row.public_host,
      token: (opts) => this.upstreamToken(client, sandboxId, opts?.forceRefresh === true),
    };
  }

  forget(sandboxId: string): void {
    const row = deleteUpstreamSandbox(this.deps.db, sandboxId);
    if (row?.port) void Promise.resolve(this.deps.gateway.close(sandboxId)).catch(() => undefined);
  }

  /** The upstream's JWT, refreshed with the server-held key when missing or close to expiry. */
  async upstreamToken(client: UpstreamClient, id: string, force: boolean): Promise<string> {
    const row = getUpstreamSandbox(this.deps.db, id);
    const exp = row?.upstream_token_expires_at ? Date.parse(row.upstream_token_expires_at) : NaN;
    if (!force && row?.upstream_token && (Number.isNaN(exp) || exp - Date.now() > UPSTREAM_TOKEN_MARGIN_MS))
      return row.upstream_token;
    let p = this.#refreshing.get(id);
    if (!p) {
      p = this.#refreshUpstreamToken(client, id).finally(() => this.#refreshing.delete(id));
      this.#refreshing.set(id, p);
    }
    return p;
  }

  async #refreshUpstreamToken(client: UpstreamClient, id: string): Promise<string> {
    const a = await client.call({
      method: 'POST',
      path: `/v1/sandboxes/${encodeURIComponent(id)}/token/refresh`,
    });
    if (a.status === 404) {
      this.forget(id);
      throw client.unavailable(`sandbox ${id} no longer exists there`);
    }
    const body = a.json as Obj | null;
    if (a.status !== 200 || typeof body?.auth_token !== 'string')
      throw client.unavailable(`token refresh answered ${a.status}`);
    upsertUpstreamSandbox(this.deps.db, {
      id,
      backend: client.name,
      upstream_token: body.auth_token,
      upstream_token_expires_at: typeof body.token_expires_at === 'string' ? body.token_expires_at : null,
    });
    return body.auth_token;
  }
}
