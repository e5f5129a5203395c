/**
 * A create served by the warm pool: the spare becomes the caller's sandbox (normal CPU weight,
 * env vars, deadline, its JWT) in one write to the store. Its gateway port is normally open
 * already (the pool opens it when the spare is ready); its runner was ready when it joined.
 */
import type { CreateSandboxRequest } from '../../contract/schemas.ts';
import { agentRequest } from '../runtime/agent-client.ts';
import { getSandbox, type SandboxRecord } from '../store/sandboxes.ts';
import { iso } from '../store/time.ts';
import type { SandboxService } from './sandbox-service.ts';

/** A sandbox handed to its caller with its JWT. */
export interface Issued {
  rec: SandboxRecord;
  token: { token: string; expiresAt: string };
}

export function adoptSpare(svc: SandboxService, poolId: string, body: CreateSandboxRequest): Promise<Issued> {
  const { deps } = svc;
  return svc.lock.run(poolId, async () => {
    deps.runtime.foreground(poolId); // the normal CPU weight, no longer a background spare
    const env = body.env_vars ?? {};
    const socket = deps.runtime.socketPath(poolId);
    // The env PATCH doubles as the liveness check; without env, the sandbox must still have its
    // processes (the agent is its pid namespace's first process: if it died, all did). A read of
    // its cgroup, not a connection: waking each idle agent cost ~2.7 ms of the engine's thread
    // here (20 in a burst). Both run while the gateway port opens, if it is not open yet.
    const ready = async () => {
      if (Object.keys(env).length === 0) {
        // One small read: sync costs less than the three thread-pool hops of an async one.
        if (!deps.runtime.isAlive(poolId)) throw new Error('the spare has no process left');
        return;
      }
      const r = await agentRequest(socket, 'PATCH', '/env', { env_vars: env, merge: true }, 2000);
      if (r.status >= 300) throw new Error(`agent refused env (HTTP ${r.status})`);
    };
    const spare = getSandbox(deps.db, poolId) as SandboxRecord;
    const [readyResult, portResult] = await Promise.allSettled([
      ready(),
      spare.port ?? svc.ports.openOnFreePort(poolId, deps.gateway),
    ]);
    if (readyResult.status === 'rejected' || portResult.status === 'rejected') {
      if (portResult.status === 'fulfilled') await deps.gateway.close(poolId);
      throw readyResult.status === 'rejected'
        ? readyResult.reason
        : (portResult as PromiseRejectedResult).reason;
    }
    const rec = { ...spare };
    svc.applyTimeout(rec, body.timeout_seconds ?? null);
    const issuedAt = new Date();
    const t = await deps.tokens.issue(poolId, issuedAt);
    const adopted = svc.update(poolId, {
      token_issued_at: iso(issuedAt),
      pool: false,
      env_vars: env,
      port: portResult.value,
      created_at: iso(),
      timeout_seconds: rec.timeout_seconds,
      expires_at: rec.expires_at,
    });
    // The spare's watchdog is already running: this writes the deadline file and wakes it.
    await deps.runtime.setDeadline(poolId, rec.expires_at);
    deps.onDeadlinesChanged?.();
    return { rec: adopted, token: { token: t.token, expiresAt: iso(t.expiresAt) } };
  });
}
