import { defineConfig, devices } from '@playwright/test';
import { existsSync } from 'node:fs';

// Debian's Chromium where Playwright has no browser of its own (this machine kind cannot download
// one); Playwright's bundled browser elsewhere. PW_CHROMIUM overrides either.
const debianChromium = '/usr/bin/chromium';
const executablePath = process.env.PW_CHROMIUM ?? (existsSync(debianChromium) ? debianChromium : undefined);

// Specs that delete every sandbox or count the rows of the whole list cannot share the engine with
// other specs: they form the `alone` project. `npm test` runs `shared` on two workers (most of a
// spec's time is waiting for sandboxes and polls), then `alone` on one (.ci/test-all.mjs); a plain
// `playwright test` runs everything on one worker.
const exclusive = ['sandboxes.spec.ts', 'a11y.spec.ts', 'shell.spec.ts'];

export default defineConfig({
  testDir: './e2e',
  fullyParallel: false,
  workers: 1,
  projects: [
    { name: 'shared', testIgnore: exclusive },
    { name: 'alone', testMatch: exclusive },
  ],
  retries: 0,
  timeout: 60_000,
  expect: { timeout: 15_000 },
  reporter: [['list'], ['json', { outputFile: process.env.E2E_REPORT ?? 'test-results/e2e.json' }]],
  // Starts a real engine on a temporary data directory and loopback ports; see e2e/global-setup.ts.
  globalSetup: './e2e/global-setup.ts',
  globalTeardown: './e2e/global-teardown.ts',
  use: {
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
    ...devices['Desktop Chrome'],
    launchOptions: {
      ...(executablePath ? { executablePath } : {}),
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
      ],
    },
  },
});
