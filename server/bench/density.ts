/**
 * Density: N idle code-interpreter sandboxes at once. Reports each one's PSS over its process tree
 * (smaps_rollup), the engine's total (its own RSS + every sandbox's and spare's PSS) and the
 * machine's available memory before and after. Stops creating early if the machine runs low.
 */
import { readFileSync } from 'node:fs';
import { readAvailableMb as availableMb } from '../control-plane/available-memory.ts';
import type { BenchEngine } from './engine.ts';
import { createSandbox, deleteAll } from './creates.ts';
import { treeMemory } from './memory.ts';
import { summarize, type Summary } from './stats.ts';

const LOW_MB = 3072;

export { availableMb };

function pidOf(e: BenchEngine, id: string): number | null {
  const row = e.store.db.prepare('SELECT pid FROM sandboxes WHERE id = ?').get(id) as
    { pid: number | null } | undefined;
  return row?.pid ?? null;
}

export interface Density {
  started: number;
  asked: number;
  failed: number;
  pss: Summary;
  processes: number;
  commands: string[];
  enginePssMb: number;
  totalMb: number;
  spares: number;
  availableBeforeMb: number;
  availableAfterMb: number;
}

export async function benchDensity(e: BenchEngine, n: number, idleMs = 10_000): Promise<Density> {
  const availableBeforeMb = availableMb();
  const ids: string[] = [];
  let failed = 0;
  try {
    while (ids.length < n && availableMb() > LOW_MB) {
      const batch = Math.min(10, n - ids.length);
      const made = await Promise.allSettled(Array.from({ length: batch }, () => createSandbox(e)));
      for (const m of made) {
        if (m.status === 'fulfilled') ids.push(m.value.id);
        else failed++;
      }
      if (failed > n / 4) break; // the machine cannot boot more right now
    }
    await new Promise((r) => setTimeout(r, idleMs));
    const trees = ids.map((id) => pidOf(e, id)).flatMap((pid) => (pid ? [treeMemory(pid)] : []));
    const spareTrees = e.store.db
      .prepare('SELECT pid FROM sandboxes WHERE pool = 1 AND pid IS NOT NULL')
      .all()
      .map((r) => treeMemory((r as { pid: number }).pid));
    const self = readFileSync('/proc/self/smaps_rollup', 'utf8');
    const enginePssMb = Number(/^Pss:\s+(\d+) kB/m.exec(self)?.[1] ?? 0) / 1024;
    const sum = (xs: { pssMb: number }[]) => xs.reduce((a, t) => a + t.pssMb, 0);
    return {
      started: ids.length,
      asked: n,
      failed,
      pss: summarize(trees.map((t) => t.pssMb)),
      processes: trees[0]?.processes ?? 0,
      commands: [...new Set(trees[0]?.commands ?? [])],
      enginePssMb,
      totalMb: enginePssMb + sum(trees) + sum(spareTrees),
      spares: spareTrees.length,
      availableBeforeMb,
      availableAfterMb: availableMb(),
    };
  } finally {
    await deleteAll(e, ids);
  }
}
