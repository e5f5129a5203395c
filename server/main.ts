/**
 * `hopdeck serve`: opens the store, creates the runtime, reconciles, serves the control plane and
 * the dashboard on --port and the frames origin on --frames-port, and prints the sign-in details.
 * SIGTERM/SIGINT close listeners, destroy the warm pool's spares, close the store and exit 0;
 * sandboxes keep running. A second signal within 2 s is the same Ctrl-C; a later one forces the
 * exit (spares are still killed first).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildApp, engineAddresses } from './app.ts';
import { ConfigError, USAGE, parseConfig, type Config } from './config.ts';
import { createFramesApp } from './frames/index.ts';
import { createRuntime } from './runtime/index.ts';
import { openStore } from './store/index.ts';
import { leftoverPoolIds } from './store/sandboxes-admin.ts';

const here = dirname(fileURLToPath(import.meta.url));

/** dist/server/main.js finds dist/<name>; `tsx server/main.ts` finds dist/<name> from the repo root. */
function besideBundle(name: string, marker: string): string | null {
  for (const dir of [join(here, '..', name), join(here, '..', 'dist', name)]) {
    if (existsSync(join(dir, marker))) return dir;
  }
  return null;
}

function fail(message: string, code: number): never {
  process.stderr.write(`hopdeck: ${message}\n`);
  process.exit(code);
}

function hasBwrap(): boolean {
  return spawnSync('bwrap', ['--version'], { stdio: 'ignore' }).status === 0;
}

function readConfig(argv: string[]): Config {
  const args = argv[0] === 'serve' ? argv.slice(1) : argv;
  if (argv[0] !== undefined && argv[0] !== 'serve' && !argv[0].startsWith('-')) {
    fail(`unknown command "${argv[0]}"\n\n${USAGE}`, 2);
  }
  try {
    const config = parseConfig(args);
    // Upstream keys live in the config from here on: no child process inherits them (0014).
    for (const name of Object.keys(process.env)) {
      if (name === 'HOPX_API_KEY' || name.startsWith('HOPDECK_UPSTREAM_KEY_')) delete process.env[name];
    }
    return config;
  } catch (err) {
    if (err instanceof ConfigError && err.message === 'help') {
      process.stdout.write(USAGE);
      process.exit(0);
    }
    if (err instanceof ConfigError) fail(`${err.message}\n\n${USAGE}`, 2);
    throw err;
  }
}

async function serve(config: Config): Promise<void> {
  if (config.isolation === 'bwrap' && !hasBwrap()) {
    fail(
      'bubblewrap (bwrap) is not installed, so sandboxes cannot be isolated.\n' +
        '  Install it (apt-get install bubblewrap, or bash .ci/setup-machine.sh), or start with\n' +
        '  --isolation none to run sandboxes WITHOUT isolation (trusted code only).',
      1,
    );
  }
  const agentDir = besideBundle('agent', 'agent.mjs');
  if (!agentDir) fail('the agent bundle (dist/agent/agent.mjs) is missing: run `npm run build`', 1);
  mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });

  const store = openStore(config.dataDir, {
    backgroundCheckpoints: true,
    onCheckpointError: (m) => console.error(`hopdeck: WAL checkpoint: ${m}`),
  });
  let shownKey: string | null = null;
  let linkKeyId: string | null = null;
  if (config.apiKey) {
    if (config.apiKey.length < 16) {
      console.error(
        'hopdeck: warning: the seeded API key is short (< 16 characters); anyone who can guess it can run code',
      );
    }
    linkKeyId = store.auth.seedKey(config.apiKey).id;
  } else if (store.auth.activeKeyCount() === 0) {
    const created = store.auth.createKey('default');
    shownKey = created.key;
    linkKeyId = created.id;
  }

  const runtime = await createRuntime({
    dataDir: config.dataDir,
    isolation: config.isolation,
    agentDir,
    log: (msg) => console.error(`hopdeck: ${msg}`),
  });
  const urls = engineAddresses(config);
  const frames = createFramesApp({ dashboardOrigins: urls.dashboardOrigins });
  // Not awaited yet: the pool starts booting spares inside buildApp, before the app is ready, so
  // the signal handlers below must be there first (a Ctrl-C then would kill the engine outright
  // and leave those spares running).
  const built = buildApp({
    store,
    runtime,
    host: config.host,
    port: config.port,
    framesPort: config.framesPort,
    agentPorts: config.agentPorts,
    rateLimit: config.rateLimit,
    warmPool: config.warmPool,
    corsOrigin: config.corsOrigin,
    publicUrl: config.publicUrl,
    upstreams: config.upstreams,
    defaultBackend: config.defaultBackend,
    frames,
    webDir: besideBundle('web', 'index.html'),
    logger: { level: process.env.HOPDECK_LOG_LEVEL ?? 'warn', stream: process.stderr },
  });
  built.catch(() => undefined); // a failed build is reported where it is awaited below

  // One Ctrl-C on `npm start` reaches the engine twice (the terminal signals the whole process
  // group, and npm passes its own copy on): signals within a moment of the first are that same
  // request. A later one, or a shutdown that hangs, forces the exit, but first kills the warm
  // pool's spares (booting ones included) synchronously: spares never outlive the engine.
  const FORCE_AFTER_MS = 2000;
  let closingSince = 0;
  const forceExit = (why: string): never => {
    process.stderr.write(`hopdeck: ${why}, exiting now\n`);
    try {
      for (const id of leftoverPoolIds(store.db)) runtime.killNow(id);
    } catch {
      /* the store is closed: the pool was already drained */
    }
    process.exit(1);
  };
  const shutdown = async (signal: string) => {
    if (closingSince) {
      if (Date.now() - closingSince >= FORCE_AFTER_MS) forceExit(`${signal} again`);
      return;
    }
    closingSince = Date.now();
    process.stderr.write(`hopdeck: ${signal}, shutting down (sandboxes keep running)\n`);
    const force = setTimeout(() => forceExit('shutdown took too long'), 15_000);
    force.unref();
    try {
      await Promise.allSettled([built.then((app) => app.close()), frames.close()]);
      await runtime.close();
    } finally {
      store.close();
    }
    process.exit(0);
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
  const app = await built;
  if (closingSince) return; // a signal came while the app was built: shutdown() owns the exit

  try {
    await app.listen({ host: config.host, port: config.port });
    // Under a public URL the frames origin is frames.<host> on --port (served by the app).
    if (!config.publicUrl) await frames.listen({ host: config.host, port: config.framesPort });
  } catch (err) {
    if (closingSince) return; // shut down while listening: shutdown() owns the exit
    await app.close().catch(() => undefined);
    await runtime.close().catch(() => undefined);
    store.close();
    fail(`cannot listen: ${(err as Error).message}`, 1);
  }

  const base = urls.dashboardUrl;
  const lines = [
    urls.public
      ? `Hopdeck engine listening on ${config.host}:${config.port}, public URL ${base}`
      : `Hopdeck engine listening on ${base}`,
  ];
  // Names and URLs only: an upstream's key is never printed.
  for (const u of config.upstreams)
    lines.push(
      `Upstream "${u.name}": ${u.url}${u.name === config.defaultBackend ? ' (default for creates)' : ''}`,
    );
  if (runtime.isolation === 'none')
    lines.push('WARNING: --isolation none: sandboxes are NOT isolated from this machine');
  if (shownKey) lines.push(`API key (shown once): ${shownKey}`);
  linkKeyId ??= store.auth.firstActiveKey()?.id ?? null;
  if (linkKeyId) lines.push(`Sign in: ${base}/auth/link?token=${store.auth.createSigninToken(linkKeyId)}`);
  process.stdout.write(`${lines.join('\n')}\n`);
}

await serve(readConfig(process.argv.slice(2)));
