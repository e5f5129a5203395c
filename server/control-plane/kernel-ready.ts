/**
 * `running` means "ready to run code": a sandbox whose template warms Python counts as booted
 * once its agent's runner answers `GET /kernel` with `ready` (decision 0009).
 */
import { connect } from 'node:net';
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

/**
 * The agent still listens: its socket accepts a connection. The kernel accepts into the listen
 * backlog without waiting for the agent to be scheduled, so this costs microseconds where an HTTP
 * round trip to a spare idling at a low CPU weight cost 0.2-0.7 s per claim in a burst of 20 on a
 * busy machine. A spare whose agent died refuses (its socket has no listener).
 */
export function agentListening(socket: string, timeoutMs = 1000): Promise<void> {
  return new Promise((resolve, reject) => {
    const c = connect({ path: socket });
    const timer = setTimeout(() => {
      c.destroy();
      reject(new Error('the agent did not accept a connection in time'));
    }, timeoutMs);
    c.once('connect', () => {
      clearTimeout(timer);
      c.destroy();
      resolve();
    });
    c.once('error', (err) => {
      clearTimeout(timer);
      reject(new Error(`the agent does not listen: ${err.message}`));
    });
  });
}
