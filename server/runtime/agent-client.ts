/** Tiny HTTP client over the agent's unix socket (health checks at boot and on re-attach). */
import { request } from 'node:http';

export function agentGet(
  socketPath: string,
  path: string,
  timeoutMs: number,
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ socketPath, path, method: 'GET', timeout: timeoutMs }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end();
  });
}

export async function isHealthy(socketPath: string, timeoutMs = 1000): Promise<boolean> {
  try {
    const res = await agentGet(socketPath, '/health', timeoutMs);
    return res.status === 200 && (JSON.parse(res.body) as { status?: string }).status === 'healthy';
  } catch {
    return false;
  }
}

/**
 * Poll until the agent answers /health: `link()` makes the host-side socket (true once it could),
 * `exited()` tells the process died. Resolves with null when healthy, else with the reason.
 */
export async function waitForAgent(
  socketPath: string,
  link: () => boolean,
  exited: () => boolean,
  timeoutMs: number,
): Promise<string | null> {
  const deadline = Date.now() + timeoutMs;
  let linked = false;
  for (;;) {
    if (exited()) return 'process exited';
    if (Date.now() > deadline) return 'timeout';
    try {
      linked ||= link();
      if (linked && (await isHealthy(socketPath, 1000))) return null;
    } catch (err) {
      return (err as Error).message;
    }
    await new Promise((r) => setTimeout(r, 5));
  }
}
