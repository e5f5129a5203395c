/**
 * The real engine for the benchmark: store and runtime in a temporary data directory, the app
 * listening on a loopback port with a warm pool, an API key to call it with. `close()` deletes
 * everything it made.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../app.ts';
import { createRuntime, hasBwrap } from '../runtime/index.ts';
import { openStore, type Store } from '../store/index.ts';
// @ts-expect-error build.mjs is plain JavaScript without type declarations
import { buildAgent } from '../build.mjs';

export interface BenchEngine {
  app: FastifyInstance;
  store: Store;
  base: string;
  apiKey: string;
  isolation: 'bwrap' | 'none';
  close(): Promise<void>;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen({ host: '127.0.0.1', port: 0 }, () => {
      const addr = srv.address();
      srv.close(() => (addr && typeof addr === 'object' ? resolve(addr.port) : reject(new Error('no port'))));
    });
  });
}

export async function startEngine(opts: {
  warmPool: number;
  agentPorts: [number, number];
}): Promise<BenchEngine> {
  const root = mkdtempSync(join(tmpdir(), 'hopdeck-bench-'));
  const agentDir = join(root, 'agent');
  await (buildAgent as (dir: string) => Promise<void>)(agentDir);
  const isolation = hasBwrap() && process.getuid?.() === 0 ? 'bwrap' : 'none';
  const dataDir = join(root, 'data');
  const store = openStore(dataDir, { backgroundCheckpoints: true });
  const apiKey = store.auth.createKey('bench').key;
  const runtime = await createRuntime({ dataDir, isolation, agentDir });
  const port = await freePort();
  let app: FastifyInstance | null = null;
  const close = async () => {
    await app?.close().catch((err: unknown) => console.error('app close:', err));
    // Sandboxes outlive the engine by design: destroy every one this run made, whatever happened.
    const ids = store.db.prepare('SELECT id FROM sandboxes').all() as { id: string }[];
    await Promise.all(ids.map(({ id }) => runtime.destroy(id).catch(() => undefined)));
    await runtime.close().catch(() => undefined);
    store.close();
    rmSync(root, { recursive: true, force: true });
  };
  try {
    app = await buildApp({
      store,
      runtime,
      host: '127.0.0.1',
      port,
      framesPort: port + 1,
      agentPorts: opts.agentPorts,
      rateLimit: 1_000_000,
      warmPool: opts.warmPool,
      webDir: null,
      logger: false,
    });
    await app.listen({ host: '127.0.0.1', port });
  } catch (err) {
    await close();
    throw err;
  }
  return { app, store, base: `http://127.0.0.1:${port}`, apiKey, isolation, close };
}
