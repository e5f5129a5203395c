/**
 * Load figures of issue 12, bounded and on loopback: N sandboxes (default 20) each running cells
 * concurrently through the gateway (in bursts: all at the same moment, and spaced: one cell per
 * sandbox every 100 ms), with the error count and p50/p99; then M creates issued at once (default
 * 10), each followed by its first print(1), with their latency. The client runs in its own process.
 */
import { fileURLToPath } from 'node:url';
import { clientRun, createSandbox, deleteAll, type Created, type CreateRun } from './creates.ts';
import type { BenchEngine } from './engine.ts';
import { runClient } from './proc.ts';
import { line, ms, summarize, type Summary } from './stats.ts';

const CLIENT_LOAD = fileURLToPath(new URL('./client-load.ts', import.meta.url));

export interface LoadRun {
  latency: Summary;
  errors: string[];
  cells: number;
  wallMs: number;
}

export interface Load {
  sandboxes: number;
  createFailures: number;
  burst: LoadRun;
  spaced: LoadRun;
  creates: CreateRun;
}

async function run(mode: 'burst' | 'spaced', n: number, sbx: Created[]): Promise<LoadRun> {
  const input = sbx.map((s) => `${s.public_host}\t${s.auth_token}`).join('\n');
  const r = await runClient<{ latencies: number[]; errors: string[]; wallMs: number }>(
    CLIENT_LOAD,
    [mode, String(n)],
    input,
  );
  return {
    latency: summarize(r.latencies),
    errors: r.errors,
    cells: r.latencies.length + r.errors.length,
    wallMs: r.wallMs,
  };
}

export async function benchLoad(
  e: BenchEngine,
  opts: { sandboxes: number; rounds: number; creates: number },
): Promise<Load> {
  const sbx: Created[] = [];
  let createFailures = 0;
  try {
    while (sbx.length + createFailures < opts.sandboxes) {
      const batch = Math.min(10, opts.sandboxes - sbx.length - createFailures);
      const made = await Promise.allSettled(Array.from({ length: batch }, () => createSandbox(e)));
      for (const m of made) {
        if (m.status === 'fulfilled') sbx.push(m.value);
        else createFailures++;
      }
    }
    const burst = await run('burst', opts.rounds, sbx);
    const spaced = await run('spaced', opts.rounds, sbx);
    const creates = await clientRun(e, 'burst', opts.creates);
    return { sandboxes: sbx.length, createFailures, burst, spaced, creates };
  } finally {
    await deleteAll(
      e,
      sbx.map((s) => s.id),
    );
  }
}

export function printLoad(l: Load, rounds: number): void {
  console.log(
    `\nload: ${l.sandboxes} sandboxes (${l.createFailures} creates failed), cells through the gateway, all concurrent`,
  );
  for (const [label, r] of [
    [`bursts (${rounds} rounds, all at once)`, l.burst],
    [`spaced (${rounds} each, every 100 ms)`, l.spaced],
  ] as const) {
    console.log(line(`  ${label}`, r.latency));
    console.log(
      `    ${r.errors.length} errors of ${r.cells} cells in ${ms(r.wallMs)}${r.errors[0] ? `, e.g. ${r.errors[0]}` : ''}`,
    );
  }
  const c = l.creates;
  const n = c.running.n + c.failed.length;
  console.log(line(`  ${n} creates at once: create → running`, c.running));
  console.log(line(`  ${n} creates at once: → first print(1)`, c.firstResult));
  console.log(line('  /health meanwhile', c.health));
  if (c.failed.length > 0) console.log(`    ${c.failed.length} of ${n} failed, e.g. ${c.failed[0]}`);
}
