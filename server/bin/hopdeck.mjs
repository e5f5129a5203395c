#!/usr/bin/env node
// `npm start` / `hopdeck`: make the machine ready (system packages, node_modules, a current build),
// then run the engine. Plain JavaScript without dependencies: it must work before `npm ci`.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { nodeSupport, nodeSupportMessage } from './node-support.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const args = process.argv.slice(2);

// 0. The Node.js we run on, against package.json "engines": refuse an older one, warn on a newer.
const engines = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).engines.node;
const nodeMessage = nodeSupportMessage(process.version, engines);
if (nodeMessage) console.error(nodeMessage);
if (nodeSupport(process.version, engines) === 'unsupported') process.exit(1);

function run(cmd, argv) {
  console.error(`hopdeck: running ${cmd} ${argv.join(' ')}`);
  const r = spawnSync(cmd, argv, { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) {
    console.error(`hopdeck: "${cmd} ${argv.join(' ')}" failed (exit ${r.status ?? r.signal})`);
    process.exit(1);
  }
}

const ok = (cmd, argv) => spawnSync(cmd, argv, { stdio: 'ignore' }).status === 0;

function newestMtime(path) {
  if (!existsSync(path)) return 0;
  const st = statSync(path);
  if (!st.isDirectory()) return st.mtimeMs;
  let newest = 0;
  for (const entry of readdirSync(path)) {
    // Tests and test helpers are not part of the build.
    if (entry === 'node_modules' || entry === 'test' || entry.startsWith('.') || /\.test\.tsx?$/.test(entry))
      continue;
    newest = Math.max(newest, newestMtime(join(path, entry)));
  }
  return newest;
}

const wantsNoIsolation =
  args.includes('none') && (args.includes('--isolation') || args.some((a) => a === '--isolation=none'));
const isolationNone = wantsNoIsolation || process.env.HOPDECK_ISOLATION === 'none';

// 1. System packages: bubblewrap, slirp4netns and Debian's Jupyter stack (bwrap and slirp4netns are
//    not needed for --isolation none). Chromium is for the tests: `npm test` installs it.
const needsSystem =
  (!isolationNone && !ok('bwrap', ['--version'])) ||
  (!isolationNone && !ok('slirp4netns', ['--version'])) ||
  !ok('/usr/bin/python3', ['-c', 'import ipykernel, jupyter_client, matplotlib, pandas']);
if (needsSystem) {
  const env = { ...process.env, HOPDECK_SKIP_BROWSER: '1' };
  const r = spawnSync('bash', [join(root, '.ci', 'setup-machine.sh')], { cwd: root, stdio: 'inherit', env });
  if (r.status !== 0)
    console.error('hopdeck: could not install the system packages; continuing with what is there');
}

// 2. Node dependencies.
if (!existsSync(join(root, 'node_modules', 'fastify', 'package.json')))
  run('npm', ['ci', '--no-audit', '--no-fund']);

// 3. A build that is current with the sources.
const built = ['dist/web/index.html', 'dist/server/main.js', 'dist/agent/agent.mjs'].map((p) =>
  join(root, p),
);
const builtAt = Math.min(...built.map((p) => (existsSync(p) ? statSync(p).mtimeMs : 0)));
const sourcesAt = Math.max(
  ...['src', 'server', 'index.html', 'vite.config.ts', 'package.json', 'public'].map((p) =>
    newestMtime(join(root, p)),
  ),
);
if (builtAt === 0 || sourcesAt > builtAt) run('npm', ['run', 'build']);

// 4. The engine (replaces nothing: we wait and pass its exit code and signals on).
const serveArgs = args[0] === 'serve' ? args : ['serve', ...args];
const { spawn } = await import('node:child_process');
// A larger libuv thread pool (default 4): cgroup and /proc work of boots and destroys waits in the
// kernel there, and sandbox tokens, file reads and writes queued behind it during a burst.
const env = { ...process.env, UV_THREADPOOL_SIZE: process.env.UV_THREADPOOL_SIZE ?? '16' };
const child = spawn(process.execPath, [join(root, 'dist', 'server', 'main.js'), ...serveArgs], {
  cwd: process.cwd(),
  stdio: 'inherit',
  env,
});
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => child.kill(sig));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
