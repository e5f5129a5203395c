/** Minimal HTTP over the agent's unix socket, for what the control plane itself asks an agent. */
import { request } from 'node:http';

export interface AgentReply {
  status: number;
  body: unknown;
}

export function agentRequest(
  socketPath: string,
  method: string,
  path: string,
  body?: unknown,
  timeoutMs = 5000,
): Promise<AgentReply> {
  return new Promise((resolve, reject) => {
    const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    const req = request(
      {
        socketPath,
        method,
        path,
        headers: payload ? { 'content-type': 'application/json', 'content-length': payload.length } : {},
        timeout: timeoutMs,
      },
      (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (c: Buffer) => {
          size += c.length;
          if (size <= 1024 * 1024) chunks.push(c);
        });
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let parsed: unknown = text;
          try {
            parsed = JSON.parse(text);
          } catch {
            // not JSON: keep the text
          }
          resolve({ status: res.statusCode ?? 0, body: parsed });
        });
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`agent ${method} ${path} timed out`)));
    req.on('error', reject);
    req.end(payload);
  });
}

/** True when the agent answers /health with status healthy. */
export async function agentHealthy(socketPath: string, timeoutMs = 2000): Promise<boolean> {
  try {
    const r = await agentRequest(socketPath, 'GET', '/health', undefined, timeoutMs);
    return r.status === 200 && (r.body as { status?: unknown } | null)?.status === 'healthy';
  } catch {
    return false;
  }
}
