#!/usr/bin/env node
// `npm run dev`: the engine from sources (tsx watch) and the Vite dev server, whose origin the
// engine accepts through --cors-origin. Extra arguments go to `hopdeck serve`.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const vitePort = process.env.VITE_PORT ?? '5173';
const viteOrigin = `http://127.0.0.1:${vitePort}`;
const bin = (name) => join(root, 'node_modules', '.bin', name);

// The engine needs the agent bundle that runs inside sandboxes.
if (!existsSync(join(root, 'dist', 'agent', 'agent.mjs'))) {
  spawnSync(process.execPath, [join(root, 'server', 'build.mjs')], { cwd: root, stdio: 'inherit' });
}

const children = [
  spawn(
    bin('tsx'),
    ['watch', 'server/main.ts', 'serve', '--cors-origin', viteOrigin, ...process.argv.slice(2)],
    {
      cwd: root,
      stdio: 'inherit',
    },
  ),
  spawn(bin('vite'), ['--host', '127.0.0.1', '--port', vitePort, '--strictPort'], {
    cwd: root,
    stdio: 'inherit',
  }),
];

let stopping = false;
function stop(code) {
  if (stopping) return;
  stopping = true;
  for (const c of children) if (c.exitCode === null) c.kill('SIGTERM');
  setTimeout(() => process.exit(code), 500).unref();
}
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => stop(0));
for (const c of children) c.on('exit', (code) => stop(code ?? 1));
console.log(`Dashboard (dev): ${viteOrigin}  — sign in with the link the engine prints`);
