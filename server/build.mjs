// Builds the engine for `npm start`: the CLI/server bundle (dependencies stay in node_modules) and
// the agent that runs inside each sandbox (self-contained: a sandbox sees no node_modules): its
// bundle, the loader that runs it from V8's code cache, that cache, and the Python runner beside it.
import { build } from 'esbuild';
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const common = { platform: 'node', target: 'node20', format: 'esm', sourcemap: true, logLevel: 'warning' };

export async function buildAgent(outdir = 'dist/agent') {
  // CommonJS, so that server/runtime/agent-loader.mjs can compile it with a code cache (node:vm).
  await build({
    ...common,
    format: 'cjs',
    entryPoints: ['server/agent/main.ts'],
    bundle: true,
    outfile: `${outdir}/agent.cjs`,
    define: { 'import.meta.url': '__agentUrl' },
  });
  copyFileSync('server/runtime/agent-loader.mjs', `${outdir}/agent.mjs`);
  rmSync(`${outdir}/agent.mjs.map`, { force: true }); // the bundle's map is agent.cjs.map now
  copyFileSync('server/kernels/bridge.py', `${outdir}/bridge.py`);
  makeCodeCache(outdir);
}

/** Run the agent once (no sandbox) so the loader writes agent.cache for this Node. */
function makeCodeCache(outdir) {
  const tmp = mkdtempSync(join(tmpdir(), 'hopdeck-agent-cache-'));
  try {
    execFileSync(
      process.execPath,
      // --warm-python: the agent's warm-up (server/agent/warmup.ts) runs before the socket appears,
      // so the cache also holds the execute path's functions (compiled once here, not per boot).
      [
        join(outdir, 'agent.mjs'),
        '--socket',
        join(tmp, 'agent.sock'),
        '--root',
        join(tmp, 'root'),
        '--warm-python',
      ],
      {
        env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOPDECK_AGENT_MAKE_CACHE: '1' },
        stdio: 'ignore',
        timeout: 30_000,
      },
    );
  } catch (err) {
    // Without a cache the agent still runs; it compiles its bundle at each start.
    console.warn(`agent code cache not made: ${err.message}`);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

export async function buildServer(outdir = 'dist/server') {
  await build({
    ...common,
    entryPoints: ['server/main.ts'],
    bundle: true,
    packages: 'external',
    outfile: `${outdir}/main.js`,
  });
}

if (import.meta.url === `file://${process.argv[1]}`) {
  await Promise.all([buildAgent(), buildServer()]);
}
