// The deadline watchdog: every running sandbox has one (a warm pool spare too, with no deadline
// yet), and moving the deadline wakes it instead of starting a new process, earlier deadlines too.
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalRuntime } from './local-runtime.ts';
import { makeRuntime, spec, tempDataDir } from './testing/helpers.ts';

const dataDir = tempDataDir();
let rt: LocalRuntime;
const ID = `sandbox_wd${process.pid}`;

const watchdogPid = () =>
  (
    JSON.parse(readFileSync(join(dataDir, 'sandboxes', ID, 'meta', 'state.json'), 'utf8')) as {
      watchdogPid?: number;
    }
  ).watchdogPid;

beforeAll(async () => {
  rt = await makeRuntime(dataDir);
  await rt.start(spec(ID)); // no deadline, like a spare
});
afterAll(async () => {
  await rt?.destroy(ID);
  rmSync(dataDir, { recursive: true, force: true });
});

describe('deadline watchdog', () => {
  it('moves the deadline, later and earlier, with the same watchdog, which stops the sandbox then', async () => {
    const first = watchdogPid();
    expect(first).toBeGreaterThan(0);
    await rt.setDeadline(ID, new Date(Date.now() + 3600_000).toISOString());
    await rt.setDeadline(ID, null);
    await rt.setDeadline(ID, new Date(Date.now() + 3600_000).toISOString());
    expect(watchdogPid()).toBe(first);
    expect(rt.isAlive(ID)).toBe(true);

    // Earlier: an idle watchdog sleeps up to a minute; the wake makes it act at the new deadline.
    const at = Date.now() + 2000;
    await rt.setDeadline(ID, new Date(at).toISOString());
    expect(watchdogPid()).toBe(first);
    const bound = Date.now() + 30_000;
    while (rt.isAlive(ID) && Date.now() < bound) await new Promise((r) => setTimeout(r, 100));
    expect(rt.isAlive(ID)).toBe(false);
    expect(Date.now()).toBeGreaterThanOrEqual(at);
  });
});
