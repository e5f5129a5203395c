/**
 * On engine start, records meet reality: each live record is compared with what the runtime sees.
 * Running, paused and stopped sandboxes get their gateway port back; a sandbox whose processes and
 * files are gone is marked `error` with the reason; warm pool leftovers are destroyed.
 */
import { deleteSandboxRow, leftoverPoolIds } from '../store/sandboxes-admin.ts';
import { liveSandboxes } from '../store/sandboxes.ts';
import type { SandboxService } from './sandbox-service.ts';

export interface ReconcileReport {
  running: number;
  paused: number;
  stopped: number;
  missing: number;
  poolDestroyed: number;
}

export async function reconcile(svc: SandboxService): Promise<ReconcileReport> {
  const { db, runtime, gateway, log } = svc.deps;
  const report: ReconcileReport = { running: 0, paused: 0, stopped: 0, missing: 0, poolDestroyed: 0 };
  for (const id of leftoverPoolIds(db)) {
    await runtime.destroy(id).catch(() => undefined);
    deleteSandboxRow(db, id);
    report.poolDestroyed++;
  }
  for (const r of liveSandboxes(db)) {
    if (r.pool) continue;
    if (r.status === 'creating') {
      await runtime.destroy(r.id).catch(() => undefined);
      svc.update(r.id, {
        status: 'error',
        pid: null,
        error_message: 'The engine stopped while this sandbox was being created',
      });
      report.missing++;
      continue;
    }
    const seen = await runtime.observe(r.id, r.pid).catch(() => 'missing' as const);
    if (seen === 'missing') {
      if (r.status !== 'error') {
        svc.update(r.id, {
          status: 'error',
          pid: null,
          error_message: `The sandbox's processes and files were not found after an engine restart (it was ${r.status})`,
        });
      }
      report.missing++;
      continue;
    }
    report[seen]++;
    const status = r.status === 'error' && seen === 'stopped' ? 'error' : seen;
    svc.update(r.id, { status, ...(seen === 'stopped' ? { pid: null } : {}) });
    // A fresh deadline watchdog (the old one may be gone, or predate this engine version).
    if (seen !== 'stopped') await runtime.setDeadline(r.id, r.expires_at).catch(() => undefined);
    try {
      if (r.port !== null) {
        await gateway.open(r.id, r.port).catch(async (err: NodeJS.ErrnoException) => {
          if (err.code !== 'EADDRINUSE') throw err;
          const port = await svc.ports.openOnFreePort(r.id, gateway);
          svc.update(r.id, { port });
        });
      } else {
        svc.update(r.id, { port: await svc.ports.openOnFreePort(r.id, gateway) });
      }
    } catch (err) {
      log.error({ err, sandbox: r.id }, 'could not re-open the gateway port');
    }
  }
  return report;
}
