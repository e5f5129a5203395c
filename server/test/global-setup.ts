/**
 * Integration tests boot real sandboxes, so the agent bundle (dist/agent/agent.mjs + bridge.py)
 * must exist and be current: build it once before the integration project runs.
 */
// @ts-expect-error build.mjs is plain JavaScript without type declarations
import { buildAgent } from '../build.mjs';

export default async function setup(): Promise<void> {
  await (buildAgent as () => Promise<void>)();
}
