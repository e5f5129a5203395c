import { rmSync } from 'node:fs';
import { engine } from './engine.ts';

export default async function globalTeardown(): Promise<void> {
  const state = engine();
  try {
    process.kill(state.pid, 'SIGTERM');
  } catch {
    // already gone
  }
  // Give the engine its clean shutdown (it deletes nothing of the sandboxes by itself), then
  // remove the sandboxes' processes and files by deleting through the data directory owner.
  await new Promise((r) => setTimeout(r, 1500));
  rmSync(state.dataDir, { recursive: true, force: true });
}
