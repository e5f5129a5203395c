// Builds the engine for `npm start`: the CLI/server bundle (dependencies stay in node_modules) and
// the agent bundle that runs inside each sandbox (self-contained: a sandbox sees no node_modules),
// with the Jupyter bridge beside it.
import { build } from 'esbuild';
import { copyFileSync, mkdirSync } from 'node:fs';

const common = { platform: 'node', target: 'node20', format: 'esm', sourcemap: true, logLevel: 'warning' };

export async function buildAgent(outdir = 'dist/agent') {
  mkdirSync(outdir, { recursive: true });
  await build({
    ...common,
    entryPoints: ['server/agent/main.ts'],
    bundle: true,
    outfile: `${outdir}/agent.mjs`,
    banner: {
      js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);",
    },
  });
  copyFileSync('server/kernels/bridge.py', `${outdir}/bridge.py`);
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
