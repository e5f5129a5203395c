import { execFileSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { engine } from './engine.ts';
import { apiClient, deleteAllSandboxes } from './fixtures.ts';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Mount points under `dir` (sandbox disks the engine did not get to unmount), deepest first. */
function mountsUnder(dir: string): string[] {
  return readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .map((line) => line.split(' ')[4] ?? '')
    .filter((mnt) => mnt.startsWith(`${dir}/`))
    .sort((a, b) => b.length - a.length);
}

/**
 * Deletes every sandbox through the API (so no sandbox process outlives the run), stops the engine
 * and waits for it to finish its own shutdown (it destroys its warm-pool spares), then removes the
 * data directory, unmounting any sandbox disk a failure left mounted.
 */
export default async function globalTeardown(): Promise<void> {
  const state = engine();
  try {
    const api = await apiClient(state);
    const n = await deleteAllSandboxes(api);
    await api.dispose();
    if (n) console.log(`teardown: deleted ${n} sandbox(es) through the API`);
  } catch (e) {
    console.warn('teardown: could not delete sandboxes through the API:', e);
  }
  try {
    process.kill(state.pid, 'SIGTERM');
  } catch {
    // already gone
  }
  const deadline = Date.now() + 30_000;
  while (alive(state.pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
  if (alive(state.pid)) console.warn(`teardown: engine ${state.pid} still running after 30 s`);
  for (const mnt of mountsUnder(state.dataDir)) {
    try {
      execFileSync('umount', ['-l', mnt]);
    } catch (e) {
      console.warn(`teardown: could not unmount ${mnt}:`, e);
    }
  }
  rmSync(state.dataDir, { recursive: true, force: true, maxRetries: 5, retryDelay: 200 });
}
