/**
 * Test helper for upstream mode (decision 0014): a second, real `hopdeck serve` playing the cloud.
 * It runs as a child process (tsx server/main.ts) on loopback with its own data directory, port,
 * agent port range and API key, so the engine under test talks to it over HTTP exactly as it
 * would talk to the HopX cloud.
 *
 *   const cloud = await startUpstream();          // cloud.url, cloud.apiKey
 *   await startEngine({ upstreams: [{ name: 'cloud', url: cloud.url, apiKey: cloud.apiKey }] })
 *   await cloud.stop(); await cloud.start();      // down and back on the same port and data
 *   cloud.freeze(); cloud.thaw();                 // SIGSTOP/SIGCONT: a hung upstream (timeouts)
 *   await cloud.dispose();                        // destroys its sandboxes, removes its data
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createRuntime } from '../runtime/index.ts';
import { openStore } from '../store/index.ts';
import { liveSandboxes } from '../store/sandboxes.ts';
import { freePort } from './host-names.ts';

/** Agent ports of the cloud engine: apart from startEngine's 7500-7699. */
export const UPSTREAM_AGENT_PORTS: [number, number] = [7700, 7799];

export interface UpstreamOptions {
  /** `--agent-ports` of the cloud (default 7700-7799). */
  agentPorts?: [number, number];
  /** `--rate-limit` of the cloud, requests per minute (default 6000; low values test 429s). */
  rateLimit?: number;
  /** `--api-key` of the cloud (default: a random 32-character key). */
  apiKey?: string;
  /** Extra environment for the child (e.g. HOPDECK_LOG_LEVEL). */
  env?: Record<string, string>;
}

export interface Upstream {
  /** `http://127.0.0.1:<port>`, stable across stop()/start(). */
  url: string;
  apiKey: string;
  dataDir: string;
  /** Headers carrying the cloud's key, for calling the cloud directly. */
  auth: { 'x-api-key': string };
  /** Everything the child printed (stdout and stderr) since it was first started. */
  output(): string;
  /** (Re)start the cloud on the same port and data directory; resolves once it listens. */
  start(): Promise<void>;
  /** SIGTERM and wait for the exit (its sandboxes keep running, like a real engine stop). */
  stop(): Promise<void>;
  /** SIGSTOP: the cloud accepts connections but never answers (a hung upstream). */
  freeze(): void;
  /** SIGCONT after freeze(). */
  thaw(): void;
  /** Stop, destroy every sandbox the cloud ran, remove the data directory. */
  dispose(): Promise<void>;
  /** A call to the cloud itself with its key (JSON in, JSON out). */
  call<T = Record<string, unknown>>(
    method: string,
    path: string,
    body?: unknown,
  ): Promise<{ status: number; body: T }>;
}

export async function startUpstream(opts: UpstreamOptions = {}): Promise<Upstream> {
  const dataDir = mkdtempSync(join(tmpdir(), 'hopdeck-upstream-'));
  const apiKey = opts.apiKey ?? `cloud_${randomBytes(16).toString('hex')}`;
  const port = await freePort();
  const framesPort = await freePort();
  const [lo, hi] = opts.agentPorts ?? UPSTREAM_AGENT_PORTS;
  const url = `http://127.0.0.1:${port}`;
  let child: ChildProcessWithoutNullStreams | null = null;
  let out = '';

  const exited = (c: ChildProcessWithoutNullStreams) =>
    new Promise<void>((done) => {
      if (c.exitCode !== null || c.signalCode !== null) done();
      else c.once('exit', () => done());
    });

  const up: Upstream = {
    url,
    apiKey,
    dataDir,
    auth: { 'x-api-key': apiKey },
    output: () => out,
    async start() {
      if (child && child.exitCode === null && child.signalCode === null) return;
      // The key goes through the environment, never argv (it would show in `ps`).
      // node --import tsx (not the tsx wrapper): signals, SIGSTOP included, reach the engine itself.
      const c = spawn(
        process.execPath,
        [
          '--import',
          'tsx',
          'server/main.ts',
          'serve',
          '--host',
          '127.0.0.1',
          '--port',
          String(port),
          '--frames-port',
          String(framesPort),
          '--data-dir',
          dataDir,
          '--agent-ports',
          `${lo}-${hi}`,
          '--warm-pool',
          '0',
          '--rate-limit',
          String(opts.rateLimit ?? 6000),
        ],
        {
          cwd: process.cwd(),
          env: {
            ...process.env,
            HOPDECK_API_KEY: apiKey,
            HOPDECK_UPSTREAM: '',
            HOPX_API_KEY: '',
            ...opts.env,
          },
        },
      );
      child = c;
      const from = out.length;
      c.stdout.on('data', (b: Buffer) => (out += b.toString()));
      c.stderr.on('data', (b: Buffer) => (out += b.toString()));
      const deadline = Date.now() + 60_000;
      while (!/Sign in: \S+/.test(out.slice(from))) {
        if (c.exitCode !== null) throw new Error(`upstream engine exited (${c.exitCode}):\n${out}`);
        if (Date.now() > deadline) throw new Error(`upstream engine did not start:\n${out}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    async stop() {
      const c = child;
      if (!c || c.exitCode !== null || c.signalCode !== null) return;
      c.kill('SIGCONT');
      c.kill('SIGTERM');
      await exited(c);
    },
    freeze() {
      child?.kill('SIGSTOP');
    },
    thaw() {
      child?.kill('SIGCONT');
    },
    async dispose() {
      await up.stop();
      const store = openStore(dataDir);
      const rt = await createRuntime({ dataDir, isolation: 'bwrap', agentDir: resolve('dist/agent') });
      await Promise.all(liveSandboxes(store.db).map((r) => rt.destroy(r.id).catch(() => undefined)));
      await rt.close();
      store.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
    async call<T>(method: string, path: string, body?: unknown) {
      const res = await fetch(`${url}${path}`, {
        method,
        headers: { ...up.auth, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
        signal: AbortSignal.timeout(120_000),
      });
      const text = await res.text();
      return { status: res.status, body: (text ? JSON.parse(text) : {}) as T };
    },
  };
  await up.start();
  return up;
}
