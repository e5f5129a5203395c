/**
 * Deletes sandboxes at their `expires_at`: one timer armed for the nearest deadline (re-armed
 * whenever deadlines change, and at least every minute), so deadlines already past at start go first.
 * (Each running sandbox's detached watchdog also kills it at the deadline while the engine is down.)
 * It also runs the agent watch (agent-watch.ts), which restarts sandboxes whose agent died.
 */
import { dueSandboxes, nextExpiry } from '../store/sandboxes.ts';
import { iso } from '../store/time.ts';
import { AgentWatch } from './agent-watch.ts';
import type { SandboxService } from './sandbox-service.ts';

const MAX_SLEEP_MS = 60_000;

export class ExpiryScheduler {
  #timer: NodeJS.Timeout | null = null;
  #running = false;
  #closed = false;
  readonly agentWatch: AgentWatch;

  constructor(private readonly svc: SandboxService) {
    this.agentWatch = new AgentWatch(svc);
  }

  start(): void {
    this.arm();
    this.agentWatch.start();
  }

  /** Re-compute the next wake-up (call after any deadline change). */
  arm(): void {
    if (this.#closed) return;
    if (this.#timer) clearTimeout(this.#timer);
    const next = nextExpiry(this.svc.deps.db);
    const wait =
      next === null ? MAX_SLEEP_MS : Math.min(MAX_SLEEP_MS, Math.max(0, Date.parse(next) - Date.now()));
    this.#timer = setTimeout(() => void this.sweep(), wait);
    this.#timer.unref();
  }

  async sweep(): Promise<number> {
    if (this.#running || this.#closed) return 0;
    this.#running = true;
    let n = 0;
    try {
      for (const r of dueSandboxes(this.svc.deps.db, iso())) {
        try {
          await this.svc.remove(r.id, `Deleted at its deadline (${r.expires_at})`);
          n++;
        } catch (err) {
          this.svc.deps.log.warn({ err, sandbox: r.id }, 'could not delete an expired sandbox');
        }
      }
    } finally {
      this.#running = false;
      this.arm();
    }
    return n;
  }

  close(): void {
    this.#closed = true;
    this.agentWatch.close();
    if (this.#timer) clearTimeout(this.#timer);
  }
}
