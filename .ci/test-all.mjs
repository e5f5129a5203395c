#!/usr/bin/env node
// The whole test suite, as the README's second command runs it: typecheck, lint, unit and
// component tests, integration tests against the real engine, a production build, and the
// Playwright e2e suite against the real engine in Chromium. Every step runs even when an earlier
// one fails, so one run shows everything that is wrong; the last line is the tally.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, existsSync, rmSync } from 'node:fs';

mkdirSync('test-results', { recursive: true });

// A fresh machine: install what the suite needs (bubblewrap, slirp4netns, Debian's Jupyter stack,
// Chromium; a no-op when all is there) and the npm dependencies, so `npm test` works on its own.
const setup = spawnSync('bash', ['.ci/setup-machine.sh'], { stdio: 'inherit' });
if (setup.status !== 0)
  console.error('test: could not install the system packages; running with what is there');
if (!existsSync('node_modules/fastify/package.json')) {
  spawnSync('npm', ['ci', '--no-audit', '--no-fund'], { stdio: 'inherit' });
}

/** @type {{name: string, passed: number, failed: number, skipped: number, seconds: number}[]} */
const results = [];

function run(name, cmd, args, count) {
  const t0 = Date.now();
  console.log(`\n=== ${name}: ${cmd} ${args.join(' ')}`);
  const r = spawnSync(cmd, args, { stdio: 'inherit', env: process.env });
  const ok = r.status === 0;
  const tally = count ? count(ok) : { passed: ok ? 1 : 0, failed: ok ? 0 : 1, skipped: 0 };
  // A runner that crashed before writing its report still counts as a failure.
  if (!ok && tally.failed === 0) tally.failed = 1;
  results.push({ name, ...tally, seconds: (Date.now() - t0) / 1000 });
}

function vitestTally(file) {
  return () => {
    if (!existsSync(file)) return { passed: 0, failed: 1, skipped: 0 };
    const j = JSON.parse(readFileSync(file, 'utf8'));
    return {
      passed: j.numPassedTests ?? 0,
      failed: (j.numFailedTests ?? 0) + (j.numFailedTestSuites && !j.numFailedTests ? 1 : 0),
      skipped: (j.numPendingTests ?? 0) + (j.numTodoTests ?? 0),
    };
  };
}

function playwrightTally(file) {
  return () => {
    if (!existsSync(file)) return { passed: 0, failed: 1, skipped: 0 };
    const s = JSON.parse(readFileSync(file, 'utf8')).stats ?? {};
    return {
      passed: s.expected ?? 0,
      failed: (s.unexpected ?? 0) + (s.flaky ?? 0),
      skipped: s.skipped ?? 0,
    };
  };
}

for (const f of [
  'test-results/unit.json',
  'test-results/integration.json',
  'test-results/e2e.json',
  'test-results/e2e-alone.json',
]) {
  rmSync(f, { force: true });
}

run('typecheck', 'npx', ['tsc', '-b']);
run('lint', 'npx', ['eslint', '.', '--max-warnings', '0']);
run('format', 'npx', ['prettier', '--check', '.']);
run(
  'unit',
  'npx',
  [
    'vitest',
    'run',
    '--project',
    'unit',
    '--reporter=default',
    '--reporter=json',
    '--outputFile=test-results/unit.json',
  ],
  vitestTally('test-results/unit.json'),
);
run('build', 'npm', ['run', 'build']);
run(
  'integration',
  'npx',
  [
    'vitest',
    'run',
    '--project',
    'integration',
    '--reporter=default',
    '--reporter=json',
    '--outputFile=test-results/integration.json',
  ],
  vitestTally('test-results/integration.json'),
);
// e2e in two runs (playwright.config.ts): the specs that can share the engine on two workers, then
// those that need it to themselves (they delete every sandbox or count the whole list) on one.
process.env.E2E_REPORT = 'test-results/e2e.json';
run(
  'e2e shared',
  'npx',
  ['playwright', 'test', '--project', 'shared', '--workers', '2'],
  playwrightTally('test-results/e2e.json'),
);
process.env.E2E_REPORT = 'test-results/e2e-alone.json';
run(
  'e2e alone',
  'npx',
  ['playwright', 'test', '--project', 'alone', '--workers', '1'],
  playwrightTally('test-results/e2e-alone.json'),
);

console.log('\n=== summary');
for (const r of results) {
  console.log(
    `${r.name.padEnd(12)} ${String(r.passed).padStart(4)} passed ${String(r.failed).padStart(3)} failed ${String(r.skipped).padStart(3)} skipped  ${r.seconds.toFixed(1)} s`,
  );
}
const passed = results.reduce((a, r) => a + r.passed, 0);
const failed = results.reduce((a, r) => a + r.failed, 0);
const skipped = results.reduce((a, r) => a + r.skipped, 0);
console.log(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
process.exit(failed === 0 ? 0 : 1);
