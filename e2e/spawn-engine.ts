/**
 * Starts an extra engine for one spec (e.g. with a lowered rate limit, or a pair where one plays the
 * cloud for the other's `--upstream`) and stops it afterwards. Secrets go through the environment,
 * never argv (they would show in `ps`).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { E2E_PORT, type EngineState } from './engine.ts';

/** The suite's private copy of the build (global-setup), so a rebuild of dist/ mid-run changes nothing. */
const PRIVATE_MAIN = join('node_modules', '.cache', `hopdeck-e2e-${E2E_PORT}`, 'dist', 'server', 'main.js');
const main = () => (existsSync(PRIVATE_MAIN) ? PRIVATE_MAIN : join('dist', 'server', 'main.js'));

export interface SpawnedEngine {
  /** Its URLs, key and sign-in link (the link is renewed by start()). */
  state: EngineState;
  /** Stops it for good and removes its data directory. */
  stop: () => Promise<void>;
  /** Stops the process only: port, data and key stay, so start() brings the same engine back. */
  halt: () => Promise<void>;
  /** Starts it again after halt(); resolves once it listens. */
  start: () => Promise<void>;
}

export async function spawnEngine(opts: {
  port: number;
  /** Default: port + 1. */
  framesPort?: number;
  agentPorts: string;
  args?: string[];
  /** Extra environment (e.g. an upstream's key as HOPDECK_UPSTREAM_KEY_<NAME>). */
  env?: Record<string, string>;
  /** Seed this API key (HOPDECK_API_KEY) instead of reading a generated one from the output. */
  apiKey?: string;
}): Promise<SpawnedEngine> {
  const dataDir = mkdtempSync(join(tmpdir(), 'hopdeck-e2e-extra-'));
  const framesPort = opts.framesPort ?? opts.port + 1;
  let child: ChildProcess | null = null;
  let apiKey = opts.apiKey ?? '';

  const launch = async (): Promise<{ link: string; pid: number }> => {
    const c: ChildProcess = spawn(
      process.execPath,
      [
        main(),
        'serve',
        '--port',
        String(opts.port),
        '--frames-port',
        String(framesPort),
        '--data-dir',
        dataDir,
        '--agent-ports',
        opts.agentPorts,
        ...(opts.args ?? []),
      ],
      {
        // No upstream or upstream key leaks in from the shell that runs the tests.
        env: {
          ...process.env,
          HOPDECK_UPSTREAM: '',
          HOPX_API_KEY: '',
          ...(opts.apiKey ? { HOPDECK_API_KEY: opts.apiKey } : {}),
          ...opts.env,
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    child = c;
    return new Promise((resolve, reject) => {
      let out = '';
      const timer = setTimeout(() => {
        c.kill('SIGKILL'); // never leave a half-started engine behind
        reject(new Error(`engine did not start:\n${out}`));
      }, 30_000);
      c.stdout?.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        const key = /API key[^:]*:\s*(\S+)/.exec(out);
        const link = /Sign in:\s*(\S+)/.exec(out);
        if (key?.[1]) apiKey ||= key[1];
        if (apiKey && link?.[1] && /listening on/i.test(out)) {
          clearTimeout(timer);
          resolve({ link: link[1], pid: c.pid ?? 0 });
        }
      });
      c.stderr?.on('data', (chunk: Buffer) => (out += chunk.toString()));
      c.on('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`engine exited with ${code}:\n${out}`));
      });
    });
  };

  const running = (c: ChildProcess | null): c is ChildProcess =>
    c !== null && c.exitCode === null && c.signalCode === null;

  const halt = async () => {
    const c = child;
    if (!running(c)) return;
    const exited = new Promise((r) => c.once('exit', r));
    c.kill('SIGTERM');
    await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
    if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  };

  const first = await launch();
  const state: EngineState = {
    baseURL: `http://127.0.0.1:${opts.port}`,
    framesOrigin: `http://127.0.0.1:${framesPort}`,
    apiKey,
    signInLink: first.link,
    dataDir,
    pid: first.pid,
  };
  return {
    state,
    halt,
    start: async () => {
      // Already running: nothing to do (a second process would fail on the port and hide the first).
      if (running(child)) return;
      const again = await launch();
      state.signInLink = again.link;
      state.pid = again.pid;
    },
    stop: async () => {
      await halt();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
