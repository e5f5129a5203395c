/**
 * Sandbox lifecycle: records in the store, processes in the runtime, ports in the gateway.
 * Every change of one sandbox runs under its lock; transitions not allowed answer 409 CONFLICT.
 */
import { randomBytes } from 'node:crypto';
import { availableParallelism } from 'node:os';
import type { CreateSandboxRequest, SandboxStatus, Template } from '../../contract/schemas.ts';
import { actionApplies } from '../../contract/lifecycle.ts';
import type { SandboxTokens } from '../auth/tokens.ts';
import { HttpError, badRequest, conflict, notFound } from '../errors.ts';
import type { Runtime, SandboxSpec } from '../runtime/types.ts';
import { warmsPython } from '../store/builtin-templates.ts';
import { waitForKernel } from './kernel-ready.ts';
import type { Db } from '../store/db.ts';
import {
  getSandbox,
  insertSandbox,
  updateSandbox,
  usedPorts,
  type SandboxRecord,
} from '../store/sandboxes.ts';
import { deleteFailedSandboxRow } from '../store/sandboxes-admin.ts';
import { findTemplate } from '../store/templates.ts';
import { iso } from '../store/time.ts';
import type { GatewayPorts } from './gateway-port.ts';
import { KeyedLock, Semaphore } from '../lib/locks.ts';
import { PortAllocator } from './ports.ts';

export const REGIONS = ['local'];

export interface Logger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

export interface ServiceDeps {
  db: Db;
  runtime: Runtime;
  tokens: SandboxTokens;
  gateway: GatewayPorts;
  agentPorts: [number, number];
  log: Logger;
  /** Called after a change of deadlines, so the expiry scheduler can re-arm. */
  onDeadlinesChanged?: () => void;
}

export const newSandboxId = () => {
  const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789';
  const bytes = randomBytes(16);
  let s = '';
  for (const b of bytes) s += alphabet[b % 36];
  return `sandbox_${s}`;
};

export function specOf(r: SandboxRecord, template: Template | null): SandboxSpec {
  return {
    id: r.id,
    template: r.template_name,
    resources: r.resources,
    internetAccess: r.internet_access,
    env: r.env_vars,
    warmPython: template ? warmsPython(template) : false,
    expiresAt: r.expires_at,
  };
}

export function newRecord(
  t: Template,
  opts: { internet: boolean; env: Record<string, string>; isolation: string; pool: boolean },
): SandboxRecord {
  const now = iso();
  return {
    id: newSandboxId(),
    status: 'creating',
    template_id: t.id,
    template_name: t.name,
    region: 'local',
    resources: {
      vcpu: t.default_resources.vcpu,
      memory_mb: t.default_resources.memory_mb,
      disk_mb: t.default_resources.disk_gb * 1024,
    },
    internet_access: opts.internet,
    env_vars: opts.env,
    timeout_seconds: null,
    expires_at: null,
    created_at: now,
    updated_at: now,
    isolation: opts.isolation,
    pid: null,
    port: null,
    error_message: null,
    pool: opts.pool,
  };
}

const errMessage = (err: unknown) => (err instanceof Error ? err.message : String(err)).slice(0, 500);

export class SandboxService {
  readonly lock = new KeyedLock();
  /** Boots (create, start, warm pool) run a few at a time: a burst queues instead of thrashing. */
  readonly boots = new Semaphore(Math.max(2, availableParallelism()));
  readonly ports: PortAllocator;

  constructor(readonly deps: ServiceDeps) {
    this.ports = new PortAllocator(deps.agentPorts, () => usedPorts(deps.db));
  }

  resolveTemplate(body: CreateSandboxRequest): Template {
    const ref = body.template_id !== undefined ? String(body.template_id) : (body.template_name as string);
    const t = findTemplate(this.deps.db, ref);
    if (!t) throw notFound(`Template not found: ${ref}`, { details: { template: ref } });
    if (!t.is_active || t.status !== 'active')
      throw badRequest(`Template ${t.name} is not active (status ${t.status})`);
    return t;
  }

  /** A visible, non-deleted sandbox or 404 (a deleted one says so in details.status). */
  require(id: string): SandboxRecord {
    const r = getSandbox(this.deps.db, id);
    if (!r || r.pool) throw notFound('Sandbox not found', { details: { sandbox_id: id } });
    if (r.status === 'deleted') {
      // Deleted by the expiry sweeper (at or after its deadline) or by someone: the dashboard says which.
      const expired = r.expires_at !== null && Date.parse(r.updated_at) >= Date.parse(r.expires_at);
      throw notFound('Sandbox not found', {
        details: { sandbox_id: id, status: 'deleted', reason: expired ? 'expired' : 'deleted' },
      });
    }
    return r;
  }

  update(id: string, patch: Partial<SandboxRecord>): SandboxRecord {
    const r = updateSandbox(this.deps.db, id, { ...patch, updated_at: iso() });
    if (!r) throw notFound('Sandbox not found');
    return r;
  }

  /** Boot a fresh sandbox for a request the warm pool could not serve. */
  async createFresh(t: Template, body: CreateSandboxRequest, isolation: string): Promise<SandboxRecord> {
    const rec = newRecord(t, {
      internet: body.internet_access ?? true,
      env: body.env_vars ?? {},
      isolation,
      pool: false,
    });
    this.applyTimeout(rec, body.timeout_seconds ?? null);
    insertSandbox(this.deps.db, rec);
    return this.lock.run(rec.id, async () => {
      try {
        const spec = specOf(rec, t);
        const running = await this.boots.run(() => this.deps.runtime.start(spec));
        // `running` means ready to run code (decision 0009): wait for the Python runner too.
        if (spec.warmPython) await waitForKernel(this.deps.runtime.socketPath(rec.id));
        this.update(rec.id, { pid: running.pid });
        const port = await this.ports.openOnFreePort(rec.id, this.deps.gateway);
        return this.update(rec.id, { status: 'running', port });
      } catch (err) {
        // The caller never got this sandbox: leave nothing behind (an SDK retry must not pile up records).
        this.deps.log.error({ err, sandbox: rec.id }, 'sandbox failed to start');
        await this.deps.gateway.close(rec.id);
        await this.deps.runtime.destroy(rec.id).catch(() => undefined);
        deleteFailedSandboxRow(this.deps.db, rec.id);
        throw new HttpError(503, 'SERVICE_UNAVAILABLE', `Sandbox failed to start: ${errMessage(err)}`);
      } finally {
        this.deps.onDeadlinesChanged?.();
      }
    });
  }

  applyTimeout(rec: SandboxRecord, seconds: number | null): void {
    rec.timeout_seconds = seconds;
    rec.expires_at = seconds ? iso(Date.now() + seconds * 1000) : null;
  }

  async transition(id: string, action: 'pause' | 'resume' | 'stop' | 'start'): Promise<SandboxRecord> {
    this.require(id);
    return this.lock.run(id, async () => {
      const r = this.require(id);
      if (!actionApplies(action, r.status)) {
        throw conflict(`Cannot ${action} a sandbox that is ${r.status}`, r.status);
      }
      const rt = this.deps.runtime;
      try {
        if (action === 'pause') {
          await rt.pause(id);
          return this.update(id, { status: 'paused' });
        }
        if (action === 'resume') {
          await rt.resume(id);
          return this.update(id, { status: 'running' });
        }
        if (action === 'stop') {
          if (r.status === 'paused') await rt.resume(id).catch(() => undefined);
          await rt.stop(id);
          return this.update(id, { status: 'stopped', pid: null });
        }
        const running = await this.boots.run(() =>
          rt.start(specOf(r, findTemplate(this.deps.db, r.template_id))),
        );
        let port = r.port;
        if (port === null) port = await this.ports.openOnFreePort(id, this.deps.gateway);
        return this.update(id, { status: 'running', pid: running.pid, port, error_message: null });
      } catch (err) {
        if (err instanceof HttpError) throw err;
        this.deps.log.error({ err, sandbox: id, action }, 'lifecycle action failed');
        throw new HttpError(500, 'INTERNAL_ERROR', `Could not ${action} the sandbox: ${errMessage(err)}`);
      }
    });
  }

  async remove(id: string, reason?: string): Promise<void> {
    this.require(id);
    await this.lock.run(id, async () => {
      const r = getSandbox(this.deps.db, id);
      if (!r || r.status === 'deleted') return;
      await this.deps.gateway.close(id);
      await this.deps.runtime.destroy(id);
      this.update(id, {
        status: 'deleted',
        pid: null,
        port: null,
        ...(reason ? { error_message: reason } : {}),
      });
    });
    this.deps.onDeadlinesChanged?.();
  }

  setTimeoutSeconds(id: string, seconds: number): SandboxRecord {
    const r = this.require(id);
    this.applyTimeout(r, seconds);
    const next = this.update(id, { timeout_seconds: r.timeout_seconds, expires_at: r.expires_at });
    // The detached watchdog stops the sandbox at the new deadline even if the engine is down then.
    this.deps.runtime
      .setDeadline(id, r.expires_at)
      .catch((err: unknown) =>
        this.deps.log.warn({ err, sandbox: id }, 'could not move the deadline watchdog'),
      );
    this.deps.onDeadlinesChanged?.();
    return next;
  }

  /** A new sandbox JWT (create, refresh); the previous one stays valid until it expires. */
  async issueToken(id: string): Promise<{ token: string; expiresAt: string }> {
    const issuedAt = new Date();
    const t = await this.deps.tokens.issue(id, issuedAt);
    this.update(id, { token_issued_at: iso(issuedAt) });
    return { token: t.token, expiresAt: iso(t.expiresAt) };
  }

  /** The current JWT, re-signed from its issue time (same token); a new one if none is valid. */
  async currentToken(id: string): Promise<{ token: string; expiresAt: string }> {
    const issued = this.require(id).token_issued_at;
    if (issued) {
      const t = await this.deps.tokens.issue(id, new Date(issued));
      if (t.expiresAt.getTime() - Date.now() > 60_000) return { token: t.token, expiresAt: iso(t.expiresAt) };
    }
    return this.issueToken(id);
  }

  /** What the gateway asks for each request: the status and where the agent listens. */
  lookup(id: string): { status: SandboxStatus; socketPath: string } | null {
    const r = getSandbox(this.deps.db, id);
    if (!r || r.pool || r.status === 'deleted') return null;
    return { status: r.status, socketPath: this.deps.runtime.socketPath(id) };
  }
}
