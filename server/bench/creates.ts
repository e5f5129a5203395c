/**
 * Create figures: 20 creates back to back on a fresh engine, then (the pool having learned the
 * demand) 20 back to back and 20 at once, each followed by its first print(1); spaced creates
 * (the pool refilled between them) and a cold create for reference; /health is polled during
 * every burst.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import type { BenchEngine } from './engine.ts';
import { runClient, startClient } from './proc.ts';
import { line, ms, summarize, timed, waitFor, type Summary } from './stats.ts';

const CLIENT_API = fileURLToPath(new URL('./client-api.ts', import.meta.url));
const CLIENT_HEALTH = fileURLToPath(new URL('./client-health.ts', import.meta.url));
export const TEMPLATE = 'code-interpreter';

export interface Created {
  id: string;
  public_host: string;
  auth_token: string;
}

export async function api(
  e: BenchEngine,
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; json: unknown }> {
  const res = await fetch(`${e.base}${path}`, {
    method,
    headers: { 'x-api-key': e.apiKey, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, json: await res.json() };
}

/** `cold`: internet off, which the warm pool (built with internet on) cannot serve: a fresh boot. */
export async function createSandbox(e: BenchEngine, cold = false): Promise<Created> {
  const r = await api(e, 'POST', '/v1/sandboxes', {
    template_name: TEMPLATE,
    ...(cold ? { internet_access: false } : {}),
  });
  if (r.status !== 201) throw new Error(`create answered ${r.status}: ${JSON.stringify(r.json)}`);
  return r.json as Created;
}

export async function firstPrint(s: Created): Promise<void> {
  const r = await fetch(`${s.public_host}/execute`, {
    method: 'POST',
    headers: { authorization: `Bearer ${s.auth_token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ code: 'print(1)', language: 'python' }),
  });
  const out = (await r.json()) as { stdout?: string };
  if (out.stdout !== '1\n') throw new Error(`print(1) gave ${JSON.stringify(out).slice(0, 200)}`);
}

export async function deleteAll(e: BenchEngine, ids: string[]): Promise<void> {
  for (let i = 0; i < ids.length; i += 10) {
    await Promise.all(ids.slice(i, i + 10).map((id) => api(e, 'DELETE', `/v1/sandboxes/${id}`)));
  }
}

export interface CreateRun {
  failed: string[];
  running: Summary;
  firstResult: Summary;
  health: Summary;
  /** The same polled at the engine's priority (a client elsewhere). */
  healthRemote: Summary;
  /** The engine's event-loop delay during the run (ms): p99 and max. */
  loop: { p99: number; max: number };
  readyAtStart: number;
}

export async function clientRun(e: BenchEngine, mode: 'serial' | 'burst', n: number): Promise<CreateRun> {
  const readyAtStart = e.app.engine.pool.readyCount(TEMPLATE);
  // The engine runs in this process: its event loop's delay says what blocked it during the run.
  // Two monitors: one where the sandboxes run (this machine's load slows it too), one at the
  // engine's priority (a check from another machine: what the engine itself answers).
  const health = await startClient<{ health: number[] }>(CLIENT_HEALTH, [e.base]);
  const healthRemote = await startClient<{ health: number[] }>(CLIENT_HEALTH, [e.base], {
    enginePriority: true,
  });
  const loop = monitorEventLoopDelay({ resolution: 5 });
  loop.enable();
  const r = await runClient<{
    creates: ({ id: string; running: number; firstResult: number } | { failed: string })[];
  }>(CLIENT_API, [e.base, e.apiKey, mode, String(n)]).finally(() => loop.disable());
  const { health: healthSamples } = await health.stop();
  const { health: remoteSamples } = await healthRemote.stop();
  const ok = r.creates.flatMap((c) => ('failed' in c ? [] : [c]));
  await deleteAll(
    e,
    ok.map((c) => c.id),
  );
  return {
    failed: r.creates.flatMap((c) => ('failed' in c ? [c.failed] : [])),
    running: summarize(ok.map((c) => c.running)),
    firstResult: summarize(ok.map((c) => c.firstResult)),
    health: summarize(healthSamples),
    healthRemote: summarize(remoteSamples),
    loop: { p99: loop.percentile(99) / 1e6, max: loop.max / 1e6 },
    readyAtStart,
  };
}

/** The pool's spares of the template (kernel ready, since spares only count once it is). */
const spares = (e: BenchEngine) => e.app.engine.pool.readyCount(TEMPLATE);

/** Wait (bounded) until the pool holds the spares its demand asks for; how long that took. */
function refilled(e: BenchEngine, n: number): Promise<number> {
  return waitFor(
    'the pool to refill',
    () => spares(e) >= Math.min(n, e.app.engine.pool.target(TEMPLATE)),
    180_000,
  ).catch(() => Number.NaN);
}

/**
 * The pool sizes itself from the demand it has seen (decision 0009), so a burst meets one of two
 * engines: a fresh one (its minimum, 1 spare) or one that has seen such a burst within the last
 * 15 minutes and refilled since. Both are measured and printed: the fresh burst first, then,
 * once the pool has refilled (the time it took is printed too), a burst back to back and one at
 * once. Nothing waits inside a burst.
 */
export async function benchCreates(e: BenchEngine, n: number) {
  await waitFor('a warm spare', () => spares(e) > 0, 180_000);
  const fresh = await clientRun(e, 'serial', n);
  const refillFresh = await refilled(e, n);
  const serial = await clientRun(e, 'serial', n);
  const refillSerial = await refilled(e, n);
  const burst = await clientRun(e, 'burst', n);

  // Spaced: one create at a time, each once a spare is ready (the previous bench's method).
  const spaced: number[] = [];
  for (let i = 0; i < 5; i++) {
    await waitFor('a warm spare', () => spares(e) > 0, 180_000);
    const { ms, value } = await timed(() => createSandbox(e));
    spaced.push(ms);
    await deleteAll(e, [value.id]);
  }

  const cold: number[] = [];
  const coldFirst: number[] = [];
  for (let i = 0; i < 3; i++) {
    const t0 = performance.now();
    const s = await createSandbox(e, true).catch(() => null);
    if (!s) continue; // a boot that timed out on a saturated machine: no figure
    cold.push(performance.now() - t0);
    await firstPrint(s);
    coldFirst.push(performance.now() - t0);
    await deleteAll(e, [s.id]);
  }
  return {
    fresh,
    serial,
    burst,
    refillFresh,
    refillSerial,
    spaced: summarize(spaced),
    cold: summarize(cold),
    coldFirst: summarize(coldFirst),
  };
}

export type CreateFigures = Awaited<ReturnType<typeof benchCreates>>;

export function printCreates(c: CreateFigures, n: number): void {
  console.log(`
creates (${n} each; spares ready at the start of each run in brackets)`);
  console.log(`  a fresh engine (pool at its minimum) [${c.fresh.readyAtStart}]:`);
  console.log(line('    back to back: create → running', c.fresh.running));
  console.log(line('    back to back: create → first print(1)', c.fresh.firstResult));
  console.log(
    `  the pool refilled to the demand it saw in ${ms(c.refillFresh)}; then [${c.serial.readyAtStart}]:`,
  );
  console.log(line('    back to back: create → running', c.serial.running));
  console.log(line('    back to back: create → first print(1)', c.serial.firstResult));
  console.log(`  refilled again in ${ms(c.refillSerial)}; then [${c.burst.readyAtStart}]:`);
  console.log(line('    at once: create → running', c.burst.running));
  console.log(line('    at once: create → first print(1)', c.burst.firstResult));
  console.log(line('  spaced (a spare ready each time)', c.spaced));
  console.log(line('  cold (no pool): create → running', c.cold));
  console.log(line('  cold (no pool): create → first print(1)', c.coldFirst));
  console.log(line('  /health during the fresh back to back', c.fresh.health));
  console.log(line('  /health during back to back', c.serial.health));
  console.log(line('  /health during at once', c.burst.health));
  console.log("  the same, polled at the engine's priority (as from another machine):");
  console.log(line('    /health during the fresh back to back', c.fresh.healthRemote));
  console.log(line('    /health during back to back', c.serial.healthRemote));
  console.log(line('    /health during at once', c.burst.healthRemote));
  const loop = (r: CreateRun) => `${ms(r.loop.p99)} / ${ms(r.loop.max)}`;
  console.log(
    `  engine event-loop delay p99 / max: fresh ${loop(c.fresh)}, back to back ${loop(c.serial)}, at once ${loop(c.burst)}`,
  );
  for (const [label, run] of [
    ['fresh', c.fresh],
    ['back to back', c.serial],
    ['at once', c.burst],
  ] as const) {
    if (run.failed.length > 0)
      console.log(`  ${label}: ${run.failed.length} of ${n} failed, e.g. ${run.failed[0]}`);
  }
}
