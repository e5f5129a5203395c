/**
 * Notices a dead sandbox within about a second: a `running` sandbox none of whose processes runs
 * any more (its agent crashed, was OOM-killed, or was `kill -9`ed from inside; the whole sandbox
 * ends with its agent, which is its pid namespace's first process). Such a sandbox is booted again
 * on its kept disk, and `error_message` says when and why, and that running processes, the Python
 * kernel's state and /tmp were lost. One that keeps dying (more than 3 times in 10 minutes), or
 * cannot boot, becomes `error` with the reason; `start` tries again. Without this the gateway
 * would answer 502 "retry in a moment" forever, and the SDKs retry that.
 */
import { getSandbox, runningSandboxIds } from '../store/sandboxes.ts';
import { findTemplate } from '../store/templates.ts';
import { iso } from '../store/time.ts';
import { specOf, type SandboxService } from './sandbox-service.ts';

const INTERVAL_MS = 1000;
const MAX_RESTARTS = 3;
const WINDOW_MS = 10 * 60_000;

export class AgentWatch {
  #timer: NodeJS.Timeout | null = null;
  #busy = false;
  #closed = false;
  readonly #deaths = new Map<string, number[]>();

  constructor(private readonly svc: SandboxService) {}

  start(): void {
    if (this.#closed || this.#timer) return;
    this.#timer = setInterval(() => void this.check(), INTERVAL_MS);
    this.#timer.unref();
  }

  /** One pass over the running sandboxes (one cgroup file read each, off the event loop). */
  async check(): Promise<void> {
    if (this.#busy || this.#closed) return;
    this.#busy = true;
    try {
      const { db, runtime } = this.svc.deps;
      // Only the running ones: a store of 10,000 stopped records cost a 10,000-row read and JSON
      // parse on the event loop every second.
      for (const id of runningSandboxIds(db)) {
        if (this.#closed) break;
        if (await runtime.checkAlive(id)) continue;
        const r = getSandbox(db, id);
        if (!r || r.pool || r.status !== 'running') continue;
        // At its deadline the watchdog ends it on purpose; the expiry sweep deletes it.
        if (r.expires_at && Date.parse(r.expires_at) <= Date.now() + 2000) continue;
        await this.#recover(r.id);
      }
    } catch (err) {
      this.svc.deps.log.warn({ err }, 'agent watch pass failed');
    } finally {
      this.#busy = false;
    }
  }

  async #recover(id: string): Promise<void> {
    const { db, runtime, log } = this.svc.deps;
    await this.svc.lock.run(id, async () => {
      const r = getSandbox(db, id);
      if (!r || r.pool || r.status !== 'running' || runtime.isAlive(id)) return;
      const cause = runtime.deathCause(id);
      const at = iso();
      const now = Date.now();
      const deaths = (this.#deaths.get(id) ?? []).filter((t) => t > now - WINDOW_MS);
      deaths.push(now);
      this.#deaths.set(id, deaths);
      log.warn({ sandbox: id, cause, deaths: deaths.length }, 'sandbox agent died');
      if (deaths.length > MAX_RESTARTS) {
        await runtime.stop(id).catch(() => undefined);
        this.svc.update(id, {
          status: 'error',
          pid: null,
          error_message:
            `The sandbox stopped unexpectedly at ${at} (${cause}), ${deaths.length} times in 10 minutes, ` +
            'so it was not restarted; start it to try again.',
        });
        return;
      }
      try {
        const spec = specOf(r, findTemplate(db, r.template_id));
        const running = await this.svc.boots.run(() => runtime.start(spec));
        this.svc.update(id, {
          pid: running.pid,
          error_message:
            `The sandbox's agent stopped unexpectedly at ${at} (${cause}) and was restarted: ` +
            'running processes, the Python kernel state and /tmp were lost.',
        });
      } catch (err) {
        this.svc.update(id, {
          status: 'error',
          pid: null,
          error_message: `The sandbox stopped unexpectedly at ${at} (${cause}) and could not be restarted: ${
            err instanceof Error ? err.message.slice(0, 300) : String(err)
          }`,
        });
      }
    });
  }

  close(): void {
    this.#closed = true;
    if (this.#timer) clearInterval(this.#timer);
  }
}
