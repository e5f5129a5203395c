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
