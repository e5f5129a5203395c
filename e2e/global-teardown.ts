import { rmSync } from 'node:fs';
import { engine } from './engine.ts';
import { apiClient, deleteAllSandboxes } from './fixtures.ts';

/** Deletes every sandbox through the API (so no sandbox process outlives the run), then stops the engine. */
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
  await new Promise((r) => setTimeout(r, 1500));
  rmSync(state.dataDir, { recursive: true, force: true });
}
