/**
 * Create figures: 20 creates back to back and 20 at once (each followed by its first print(1)),
 * spaced creates (the pool refilled between them), and a cold create for reference; /health is
 * polled during the back-to-back and burst runs.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import type { BenchEngine } from './engine.ts';
import { runClient } from './proc.ts';
import { summarize, timed, waitFor, type Summary } from './stats.ts';

const CLIENT_API = fileURLToPath(new URL('./client-api.ts', import.meta.url));
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
  /** The engine's event-loop delay during the run (ms): p99 and max. */
  loop: { p99: number; max: number };
  readyAtStart: number;
}

export async function clientRun(e: BenchEngine, mode: 'serial' | 'burst', n: number): Promise<CreateRun> {
  const readyAtStart = e.app.engine.pool.readyCount(TEMPLATE);
  // The engine runs in this process: its event loop's delay says what blocked it during the run.
  const loop = monitorEventLoopDelay({ resolution: 5 });
  loop.enable();
  const r = await runClient<{
    creates: ({ id: string; running: number; firstResult: number } | { failed: string })[];
    health: number[];
  }>(CLIENT_API, [e.base, e.apiKey, mode, String(n)]).finally(() => loop.disable());
  const ok = r.creates.flatMap((c) => ('failed' in c ? [] : [c]));
  await deleteAll(
    e,
    ok.map((c) => c.id),
  );
  return {
    failed: r.creates.flatMap((c) => ('failed' in c ? [c.failed] : [])),
    running: summarize(ok.map((c) => c.running)),
    firstResult: summarize(ok.map((c) => c.firstResult)),
    health: summarize(r.health),
    loop: { p99: loop.percentile(99) / 1e6, max: loop.max / 1e6 },
    readyAtStart,
  };
}

/** The pool's spares of the template (kernel ready, since spares only count once it is). */
const spares = (e: BenchEngine) => e.app.engine.pool.readyCount(TEMPLATE);

export async function benchCreates(e: BenchEngine, n: number) {
  await waitFor('a warm spare', () => spares(e) > 0, 180_000);
  const serial = await clientRun(e, 'serial', n);
  // The pool sized itself from the last minute's creates; give its parallel refill time to finish.
  const refill = await waitFor(
    'the pool to refill',
    () => spares(e) >= Math.min(n, e.app.engine.pool.target(TEMPLATE)),
    180_000,
  ).catch(() => Number.NaN);
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
    serial,
    burst,
    refillMs: refill,
    spaced: summarize(spaced),
    cold: summarize(cold),
    coldFirst: summarize(coldFirst),
  };
}
