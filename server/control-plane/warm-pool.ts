/**
 * Warm pool: per template, N sandboxes already booted (kernel warm) with the default settings
 * (internet on, no env), invisible in the API. A create takes one (its env is applied through the
 * agent's PATCH /env) and the pool refills in the background, one boot at a time so that refills
 * never starve the machine. Decision: pool sandboxes do not survive the engine; they are destroyed
 * at shutdown, and leftovers of a crash are destroyed by reconcile.
 */
import type { CreateSandboxRequest, Template } from '../../contract/schemas.ts';
import { deleteSandboxRow } from '../store/sandboxes-admin.ts';
import { insertSandbox, updateSandbox } from '../store/sandboxes.ts';
import { allTemplates } from '../store/templates.ts';
import { newRecord, specOf, type SandboxService } from './sandbox-service.ts';

export class WarmPool {
  readonly #ready = new Map<string, string[]>();
  #booting: Promise<void> | null = null;
  #bootingTemplate: string | null = null;
  #bootingId: string | null = null;
  /** The template claimed last: refilled first. */
  #wanted: string | null = null;
  #closed = false;
  #timer: NodeJS.Timeout | null = null;

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

  /** Ids of ready spares of a template (oldest first). */
  readyIds(templateName: string): string[] {
    return [...(this.#ready.get(templateName) ?? [])];
  }

  /** Can this request be served from the pool? Only requests for the defaults the pool was built with. */
  eligible(body: CreateSandboxRequest): boolean {
    return this.size > 0 && !this.#closed && (body.internet_access ?? true) === true;
  }

  /**
   * Take a ready sandbox of the template and hand it to the caller, or null when none is usable.
   * The caller refills after its response went out: a boot does synchronous work (spawn, mounts)
   * that would otherwise delay the answer.
   */
  async claim(t: Template, body: CreateSandboxRequest) {
    this.#wanted = t.name;
    // A spare of this template half-booted finishes sooner than a fresh boot started now.
    if ((this.#ready.get(t.name)?.length ?? 0) === 0 && this.#bootingTemplate === t.name) {
      await this.#booting?.catch(() => undefined);
    }
    const ids = this.#ready.get(t.name) ?? [];
    while (ids.length > 0) {
      const id = ids.shift() as string;
      try {
        return await this.svc.adopt(id, body);
      } catch (err) {
        this.svc.deps.log.warn({ err, sandbox: id }, 'could not adopt a warm pool sandbox');
        await this.discard(id);
      }
    }
    return null;
  }

  /** Boot what is missing, one sandbox at a time, in the background. */
  refill(): void {
    if (this.#closed || this.size === 0 || this.#booting) return;
    const missing = allTemplates(this.svc.deps.db).filter(
      (tpl) => tpl.is_active && (this.#ready.get(tpl.name)?.length ?? 0) < this.size,
    );
    const t = missing.find((tpl) => tpl.name === this.#wanted) ?? missing[0];
    if (!t) return;
    this.#bootingTemplate = t.name;
    this.#booting = this.bootOne(t)
      .catch((err: unknown) => {
        this.svc.deps.log.warn({ err, template: t.name }, 'warm pool boot failed; retrying later');
        // Back off instead of spinning on a template that cannot boot.
        this.#timer = setTimeout(() => this.refill(), 30_000);
        this.#timer.unref();
        throw err;
      })
      .then(
        () => {
          this.#booting = null;
          this.#bootingTemplate = null;
          this.refill();
        },
        () => {
          this.#booting = null;
          this.#bootingTemplate = null;
        },
      );
  }

  private async bootOne(t: Template): Promise<void> {
    const rec = newRecord(t, { internet: true, env: {}, isolation: this.isolation, pool: true });
    insertSandbox(this.svc.deps.db, rec);
    this.#bootingId = rec.id;
    try {
      const running = await this.svc.boots.run(() => this.svc.deps.runtime.start(specOf(rec, t)));
      updateSandbox(this.svc.deps.db, rec.id, { status: 'running', pid: running.pid });
    } catch (err) {
      await this.discard(rec.id);
      throw err;
    } finally {
      this.#bootingId = null;
    }
    if (this.#closed) {
      await this.discard(rec.id);
      return;
    }
    const list = this.#ready.get(t.name) ?? [];
    list.push(rec.id);
    this.#ready.set(t.name, list);
  }

  private async discard(id: string): Promise<void> {
    await this.svc.deps.runtime.destroy(id).catch(() => undefined);
    // The store may already be closed when a boot finishes after shutdown; reconcile cleans up then.
    if (this.svc.deps.db.open) deleteSandboxRow(this.svc.deps.db, id);
  }

  /**
   * Stop refilling and destroy every pool sandbox (they are spares, not user state). A boot still
   * running gets a few seconds to finish, then is destroyed where it stands, so shutdown stays quick.
   */
  async close(): Promise<void> {
    this.#closed = true;
    if (this.#timer) clearTimeout(this.#timer);
    if (this.#booting) {
      let timer: NodeJS.Timeout | undefined;
      const late = await Promise.race([
        this.#booting.then(
          () => false,
          () => false,
        ),
        new Promise<boolean>((r) => (timer = setTimeout(() => r(true), 3000))),
      ]);
      clearTimeout(timer);
      const id = this.#bootingId;
      if (late && id) await this.discard(id);
    }
    const ids = [...this.#ready.values()].flat();
    this.#ready.clear();
    await Promise.all(ids.map((id) => this.discard(id)));
  }
}
