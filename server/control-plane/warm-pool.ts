/**
 * Warm pool: per template, sandboxes already booted with the default settings (internet on, no
 * env) and their Python runner ready, invisible in the API. A create takes one (its env is applied
 * through the agent's PATCH /env), so `running` means "ready to run code" from the first answer.
 *
 * Size (docs/decisions/0009-speed-and-density.md): per template, the configured minimum or the
 * number of creates in the last minute, whichever is larger, capped by MAX_SPARES and by the
 * machine's available memory. Refills boot several spares at once. A create that finds no ready
 * spare takes the earliest spare still booting, or starts one for itself: either way it gets a
 * sandbox whose kernel is ready. During a burst of claims the refill waits for the burst to end
 * (at most 10 s; a create that finds no spare starts it at once), so boots do not take the CPUs
 * from the sandboxes just handed out. Spares beyond the demand of the last 15 minutes go.
 * Pool sandboxes do not survive the engine: destroyed at shutdown; reconcile removes crash leftovers.
 */
import { availableParallelism } from 'node:os';
import type { CreateSandboxRequest, Template } from '../../contract/schemas.ts';
import { deleteSandboxRow } from '../store/sandboxes-admin.ts';
import { insertSandbox, updateSandbox } from '../store/sandboxes.ts';
import { allTemplates } from '../store/templates.ts';
import { adoptSpare } from './adopt.ts';
import { availableMb } from './available-memory.ts';
import { waitForKernel } from './kernel-ready.ts';
import { newRecord, specOf, type SandboxService } from './sandbox-service.ts';

/** Demand is the number of creates of a template in this window. */
const WINDOW_MS = 60_000;
/** Spares above the size are let go only after this long without the demand that built them. */
const KEEP_MS = 15 * 60_000;
/**
 * Claims closer together than this are one burst: the refill waits for the burst to end, so the
 * boots (a second of CPU each) do not compete with the claimed sandboxes' first cells, which
 * come after the creates' answers (20 at once: up to ~0.5 s later on 2 CPUs)...
 */
const SETTLE_MS = 1000;
/**
 * ...but for no longer than this (a create that finds no spare at all starts the refill at once).
 * Long enough for a back-to-back burst the pool was sized for (creates a few hundred ms apart
 * never leave a second of quiet) to run on the spares without boots beside it.
 */
const MAX_DEFER_MS = 10_000;
const MAX_SPARES = 24;
/** What one idle spare costs (measured PSS is lower; RSS of a code-interpreter spare ~110 MB). */
const SPARE_MB = 128;
/** Spares never eat into the last part of the machine's memory. */
const RESERVE_MB = 2048;
const KERNEL_WAIT_MS = 60_000;

interface Boot {
  id: string;
  template: string;
  /** A create waits for this spare: it is handed over instead of joining the ready list. */
  reserved: boolean;
  done: Promise<string | null>;
}

export class WarmPool {
  readonly #ready = new Map<string, string[]>();
  readonly #booting = new Set<Boot>();
  readonly #claims = new Map<string, number[]>();
  /** Destroys under way: close() waits for them, so shutdown leaves no spare folder behind. */
  readonly #discards = new Map<string, Promise<void>>();
  readonly #parallel = Math.max(2, availableParallelism());
  #closed = false;
  #retryAt = 0;
  #timer: NodeJS.Timeout | null = null;
  #timerAt = 0;
  #lastClaim = 0;
  #burstStart = 0;

  constructor(
    private readonly svc: SandboxService,
    private readonly size: number,
    private readonly isolation: string,
  ) {}

  /** Ids ready in the pool per template name (for tests and /health). */
  readyCount(templateName?: string): number {
    if (templateName) return this.#ready.get(templateName)?.length ?? 0;
    let n = 0;
    for (const ids of this.#ready.values()) n += ids.length;
    return n;
  }

  /** Spares booting now (the bench waits for none before it measures a warm run). */
  bootingCount(): number {
    return this.#booting.size;
  }

  /** Ids of ready spares of a template (oldest first). */
  readyIds(templateName: string): string[] {
    return [...(this.#ready.get(templateName) ?? [])];
  }

  /** How many spares the pool aims at for a template right now. */
  target(templateName: string, windowMs = WINDOW_MS): number {
    const now = Date.now();
    const claims = (this.#claims.get(templateName) ?? []).filter((t) => now - t < KEEP_MS);
    this.#claims.set(templateName, claims);
    const recent = claims.filter((t) => now - t < windowMs).length;
    return Math.min(MAX_SPARES, Math.max(this.size, recent));
  }

  /** Can this request be served from the pool? Only requests for the defaults the pool was built with. */
  eligible(body: CreateSandboxRequest): boolean {
    return this.size > 0 && !this.#closed && (body.internet_access ?? true) === true;
  }

  /**
   * Hand a sandbox of the template whose kernel is ready to the caller: a ready spare, else the
   * earliest spare still booting, else one booted now for this create. Null when the pool is
   * closing or boots keep failing (the caller then boots a sandbox itself).
   */
  async claim(t: Template, body: CreateSandboxRequest) {
    const now = Date.now();
    const claims = this.#claims.get(t.name) ?? [];
    claims.push(now);
    this.#claims.set(t.name, claims);
    if (now - this.#lastClaim >= SETTLE_MS) this.#burstStart = now;
    this.#lastClaim = now;
    for (let attempt = 0; attempt < 3 && !this.#closed; attempt++) {
      let id = this.#ready.get(t.name)?.shift();
      if (!id) {
        const spare = [...this.#booting].find((b) => b.template === t.name && !b.reserved);
        // Boots have been failing: the caller's own boot reports why.
        if (!spare && Date.now() < this.#retryAt) return null;
        const boot = spare ?? this.#startBoot(t);
        boot.reserved = true;
        // Claimed: it boots at the normal CPU weight from now on, ahead of the pool's refill.
        this.svc.deps.runtime.foreground(boot.id);
        // Demand outruns the pool: grow it now rather than after this create's answer or the burst.
        this.#fill();
        id = (await boot.done) ?? undefined;
        if (!id) continue;
      }
      try {
        return await adoptSpare(this.svc, id, body);
      } catch (err) {
        this.svc.deps.log.warn({ err, sandbox: id }, 'could not adopt a warm pool sandbox');
        await this.#discard(id);
      }
    }
    return null;
  }

  /**
   * Boot what is missing (several at once), and shrink what demand no longer needs; during a
   * burst of claims, once it is over (see SETTLE_MS).
   */
  refill(): void {
    if (this.#closed || this.size === 0) return;
    if (Date.now() < this.#retryAt) return this.#schedule(this.#retryAt - Date.now());
    const wait = this.#deferFor();
    if (wait > 0) return this.#schedule(wait);
    this.#fill();
  }

  #fill(): void {
    if (this.#closed || Date.now() < this.#retryAt) return;
    let budget = this.#memoryBudget();
    let again = false;
    // Templates in demand first: on a small machine their spares must not queue behind the rest.
    const templates = allTemplates(this.svc.deps.db)
      .filter((tpl) => tpl.is_active)
      .map((tpl) => ({ tpl, want: this.target(tpl.name) }))
      .sort((a, b) => b.want - a.want);
    for (const { tpl, want } of templates) {
      const ready = this.#ready.get(tpl.name) ?? [];
      let have =
        ready.length + [...this.#booting].filter((b) => b.template === tpl.name && !b.reserved).length;
      while (have < want && budget > 0 && this.#booting.size < this.#parallel) {
        this.#startBoot(tpl);
        have++;
        budget--;
      }
      // Past the demand: let the oldest spares go, one per pass, so a lull does not drop them all.
      const keep = this.target(tpl.name, KEEP_MS);
      if (ready.length > keep) void this.#discard(ready.shift() as string);
      // Re-check while demand is recorded or spares are in excess: the window slides, the size too.
      again ||= keep > this.size || ready.length > keep;
    }
    if (again) this.#schedule(5000);
  }

  /** How long the refill should still wait for the current burst of claims to end (0: now). */
  #deferFor(): number {
    const now = Date.now();
    const settled = this.#lastClaim + SETTLE_MS;
    if (now >= settled || now - this.#burstStart >= MAX_DEFER_MS) return 0;
    return Math.min(settled, this.#burstStart + MAX_DEFER_MS) - now;
  }

  /** Run refill() in `ms` (the earliest of the pending requests wins). */
  #schedule(ms: number): void {
    if (this.#closed) return;
    const at = Date.now() + ms;
    if (this.#timer && this.#timerAt <= at) return;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timerAt = at;
    this.#timer = setTimeout(() => {
      this.#timer = null;
      this.refill();
    }, ms);
    this.#timer.unref();
  }

  /** How many more spares fit in the machine's available memory (beyond those already there). */
  #memoryBudget(): number {
    return Math.floor((availableMb() - RESERVE_MB) / SPARE_MB);
  }

  #startBoot(t: Template): Boot {
    const rec = newRecord(t, { internet: true, env: {}, isolation: this.isolation, pool: true });
    insertSandbox(this.svc.deps.db, rec);
    const boot: Boot = { id: rec.id, template: t.name, reserved: false, done: Promise.resolve(null) };
    boot.done = this.#boot(rec, t).then(
      async () => {
        this.#booting.delete(boot);
        if (this.#closed) {
          // Awaited: close() waits for `done`, and a spare must be gone (folder too) when it settles.
          await this.#discard(rec.id);
          return null;
        }
        if (boot.reserved) return rec.id;
        const list = this.#ready.get(t.name) ?? [];
        list.push(rec.id);
        this.#ready.set(t.name, list);
        this.refill();
        return null;
      },
      async (err: unknown) => {
        this.#booting.delete(boot);
        await this.#discard(rec.id);
        if (!this.#closed) {
          this.svc.deps.log.warn({ err, template: t.name }, 'warm pool boot failed; retrying later');
          // Back off instead of spinning on a template that cannot boot.
          this.#retryAt = Date.now() + 30_000;
        }
        return null;
      },
    );
    this.#booting.add(boot);
    return boot;
  }

  async #boot(rec: ReturnType<typeof newRecord>, t: Template): Promise<void> {
    // Spares boot and idle at a low CPU weight until claimed (runtime/priority.ts).
    const spec = { ...specOf(rec, t), background: true };
    const running = await this.svc.boots.run(() => this.svc.deps.runtime.start(spec));
    if (spec.warmPython) {
      await waitForKernel(this.svc.deps.runtime.socketPath(rec.id), KERNEL_WAIT_MS, () => !this.#closed);
    }
    // Its gateway port opens now, not in the claim (a listener and its WebSocket server per port):
    // the gateway answers 404 on it until a create claims the spare (lookup() skips pool records).
    const port = this.#closed ? null : await this.svc.ports.openOnFreePort(rec.id, this.svc.deps.gateway);
    updateSandbox(this.svc.deps.db, rec.id, { status: 'running', pid: running.pid, port });
  }

  /** Destroy a spare and forget its record; one destroy per id at a time. */
  #discard(id: string): Promise<void> {
    const under = this.#discards.get(id);
    if (under) return under;
    const p = Promise.resolve()
      .then(() => this.svc.deps.gateway.close(id))
      .then(() => this.svc.deps.runtime.destroy(id))
      .catch((err: unknown) =>
        this.svc.deps.log.warn({ err, sandbox: id }, 'could not destroy a warm pool spare'),
      )
      .then(() => {
        // The store may already be closed after a forced exit; reconcile cleans up then.
        if (this.svc.deps.db.open) deleteSandboxRow(this.svc.deps.db, id);
      })
      .finally(() => this.#discards.delete(id));
    this.#discards.set(id, p);
    return p;
  }

  /**
   * Stop refilling and destroy every pool sandbox (they are spares, not user state), folders
   * included. Boots under way are destroyed where they stand: a boot still queued never starts
   * (the runtime refuses a destroyed id), one past its queue is killed once its start settles. A
   * boot whose folder did not exist yet when its destroy ran creates it afterwards, so close() also
   * waits for every boot to settle (each destroys its sandbox when it sees the pool closed) and for
   * every destroy under way. main.ts bounds the whole shutdown (15 s, then forced exit).
   */
  async close(): Promise<void> {
    this.#closed = true;
    if (this.#timer) clearTimeout(this.#timer);
    const booting = [...this.#booting];
    const ids = [...this.#ready.values()].flat();
    this.#ready.clear();
    for (const id of [...booting.map((b) => b.id), ...ids]) void this.#discard(id);
    await Promise.all(booting.map((b) => b.done));
    while (this.#discards.size > 0) await Promise.all([...this.#discards.values()]);
  }
}
