/**
 * `running` means "ready to run code": a sandbox whose template warms Python counts as booted
 * once its agent's runner answers `GET /kernel` with `ready` (decision 0009).
 */
import { agentRequest } from '../runtime/agent-client.ts';

const POLL_MS = 15;

export async function waitForKernel(
  socket: string,
  timeoutMs = 60_000,
  stillWanted: () => boolean = () => true,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (stillWanted()) {
    const r = await agentRequest(socket, 'GET', '/kernel', undefined, 2000).catch(() => null);
    const state = (r?.body as { state?: string } | null)?.state;
    if (state === 'ready') return;
    if (state === 'failed') throw new Error('the Python kernel failed to start');
    if (Date.now() > deadline) throw new Error('the Python kernel did not start in time');
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}
