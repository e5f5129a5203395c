import { spawn, execSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { E2E_PORT, STATE_FILE, type EngineState } from './engine.ts';

const PORT = E2E_PORT;
const AGENT_PORTS = process.env.E2E_AGENT_PORTS ?? '7400-7489';
const FRAMES_PORT = PORT + 1;

/** Start `hopdeck serve` the way a newcomer does, and read the key and sign-in link it prints. */
export default async function globalSetup(): Promise<void> {
  if (!existsSync('dist/web/index.html') || !existsSync('dist/server/main.js')) {
    execSync('npm run build', { stdio: 'inherit' });
  }
  // Run a private copy of the build: other people rebuilding dist/ in this checkout while the suite
  // runs would otherwise pull the dashboard out from under it. (Under node_modules so the bundle's
  // external packages still resolve.)
  const runDir = join('node_modules', '.cache', `hopdeck-e2e-${PORT}`);
  rmSync(runDir, { recursive: true, force: true });
  cpSync('dist', join(runDir, 'dist'), { recursive: true });
  const dataDir = mkdtempSync(join(tmpdir(), 'hopdeck-e2e-'));
  const child = spawn(
    process.execPath,
    [
      join(runDir, 'dist', 'server', 'main.js'),
      'serve',
      '--port',
      String(PORT),
      '--frames-port',
      String(FRAMES_PORT),
      '--data-dir',
      dataDir,
      '--agent-ports',
      AGENT_PORTS,
    ],
    {
      env: { ...process.env, HOPDECK_WARM_POOL: process.env.HOPDECK_WARM_POOL ?? '1' },
      stdio: ['ignore', 'pipe', 'inherit'],
      detached: false,
    },
  );
  const printed = await new Promise<{ apiKey: string; link: string }>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`engine did not print a sign-in link:\n${out}`)), 60_000);
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      process.stdout.write(chunk);
      const key = /API key[^:]*:\s*(\S+)/.exec(out);
      const link = /Sign in:\s*(\S+)/.exec(out);
      const ready = /listening on/i.test(out);
      if (key?.[1] && link?.[1] && ready) {
        clearTimeout(timer);
        resolve({ apiKey: key[1], link: link[1] });
      }
    });
    child.on('exit', (code) => reject(new Error(`engine exited with ${code}:\n${out}`)));
  });
  child.stdout.resume();
  const state: EngineState = {
    baseURL: `http://127.0.0.1:${PORT}`,
    framesOrigin: `http://127.0.0.1:${FRAMES_PORT}`,
    apiKey: printed.apiKey,
    signInLink: printed.link,
    dataDir,
    pid: child.pid ?? 0,
  };
  writeFileSync(STATE_FILE, JSON.stringify(state));
  process.env.E2E_BASE_URL = state.baseURL;
}
