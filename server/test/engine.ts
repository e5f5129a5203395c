/**
 * Test helper: a real engine (store, runtime with bubblewrap, gateway, app) on a temporary data
 * directory, with a seeded API key. Gateway ports come from 7500-7699 (loopback only).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { buildApp, type AppOptions } from '../app.ts';
import { createRuntime } from '../runtime/index.ts';
import type { Runtime } from '../runtime/types.ts';
import { openStore, type Store } from '../store/index.ts';
import { liveSandboxes } from '../store/sandboxes.ts';

export const TEST_AGENT_PORTS: [number, number] = [7500, 7699];

export interface TestEngine {
  app: FastifyInstance;
  store: Store;
  runtime: Runtime;
  dataDir: string;
  apiKey: string;
  /** Headers carrying the API key. */
  auth: { 'x-api-key': string };
  /** Base URL once `listen()` was called. */
  baseUrl: string | null;
  listen(): Promise<string>;
  /** Close app, runtime and store, leaving sandboxes running (like an engine stop). */
  stop(): Promise<void>;
  /** Destroy every sandbox, then stop and remove the data directory. */
  dispose(): Promise<void>;
}

export type EngineOptions = Partial<Omit<AppOptions, 'store' | 'runtime'>> & {
  dataDir?: string;
  apiKey?: string;
};

export async function startEngine(opts: EngineOptions = {}): Promise<TestEngine> {
  const dataDir = opts.dataDir ?? mkdtempSync(join(tmpdir(), 'hopdeck-it-'));
  const store = openStore(dataDir);
  const apiKey = opts.apiKey ?? store.auth.createKey('test').key;
  if (opts.apiKey) store.auth.seedKey(opts.apiKey);
  const runtime = await createRuntime({ dataDir, isolation: 'bwrap', agentDir: resolve('dist/agent') });
  const app = await buildApp({
    host: '127.0.0.1',
    port: 7070,
    framesPort: 7071,
    agentPorts: TEST_AGENT_PORTS,
    rateLimit: 6000,
    warmPool: 0,
    ...opts,
    store,
    runtime,
  });
  let stopped = false;
  const engine: TestEngine = {
    app,
    store,
    runtime,
    dataDir,
    apiKey,
    auth: { 'x-api-key': apiKey },
    baseUrl: null,
    async listen() {
      await app.listen({ host: '127.0.0.1', port: 0 });
      const addr = app.server.address();
      if (!addr || typeof addr === 'string') throw new Error('no address');
      engine.baseUrl = `http://127.0.0.1:${addr.port}`;
      return engine.baseUrl;
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      await app.close();
      await runtime.close();
      store.close();
    },
    async dispose() {
      if (!stopped) {
        await Promise.all(liveSandboxes(store.db).map((r) => runtime.destroy(r.id).catch(() => undefined)));
        await engine.stop();
      } else {
        const again = openStore(dataDir);
        const rt = await createRuntime({ dataDir, isolation: 'bwrap', agentDir: resolve('dist/agent') });
        await Promise.all(liveSandboxes(again.db).map((r) => rt.destroy(r.id).catch(() => undefined)));
        await rt.close();
        again.close();
      }
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
  return engine;
}

export function json<T = Record<string, unknown>>(res: { body: string }): T {
  return JSON.parse(res.body) as T;
}
