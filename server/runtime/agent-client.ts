/**
 * The one HTTP client over an agent's unix socket, for what the engine itself asks an agent:
 * health checks at boot and on re-attach, env vars of a claimed spare. Replies are capped at 1 MiB
 * (an agent is untrusted) and parsed as JSON when they are JSON.
 */
import { watch, type FSWatcher } from 'node:fs';
import { request } from 'node:http';

export interface AgentReply {
  status: number;
  body: unknown;
}

const MAX_REPLY = 1024 * 1024;

export function agentRequest(
  socketPath: string,
  method: string,
  path: string,
  body?: unknown,
  timeoutMs = 5000,
): Promise<AgentReply> {
  return new Promise((resolve, reject) => {
    const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    const headers = payload ? { 'content-type': 'application/json', 'content-length': payload.length } : {};
    const req = request({ socketPath, method, path, headers, timeout: timeoutMs }, (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (c: Buffer) => {
        size += c.length;
        if (size <= MAX_REPLY) chunks.push(c);
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
    });
    req.on('timeout', () => req.destroy(new Error(`agent ${method} ${path} timed out`)));
    req.on('error', reject);
    req.end(payload);
  });
}

/** True when the agent answers /health with status healthy. */
export async function isHealthy(socketPath: string, timeoutMs = 1000): Promise<boolean> {
  try {
    const r = await agentRequest(socketPath, 'GET', '/health', undefined, timeoutMs);
    return r.status === 200 && (r.body as { status?: unknown } | null)?.status === 'healthy';
  } catch {
    return false;
  }
}

/**
 * Wait until the agent answers /health: `link()` makes the host-side socket (true once it could),
 * `exited()` tells the process died. Resolves with null when healthy, else with the reason.
 * The socket's folder (`watchDir`) is watched (inotify), so a boot costs a few checks rather than
 * one every 5 ms for the ~0.5 s the agent and its Python runner take (20 boots at once made that
 * 4,000 checks a second on the engine's event loop); a slow poll backs the watch up.
 */
export async function waitForAgent(
  socketPath: string,
  link: () => boolean,
  exited: () => boolean,
  timeoutMs: number,
  watchDir?: string,
): Promise<string | null> {
  const deadline = Date.now() + timeoutMs;
  let linked = false;
  let wake: () => void = () => undefined;
  let watcher: FSWatcher | null = null;
  try {
    if (watchDir) watcher = watch(watchDir, () => wake());
    watcher?.on('error', () => undefined);
  } catch {
    watcher = null; // no inotify here: the poll alone
  }
  const pollMs = watcher ? 50 : 5;
  try {
    for (;;) {
      if (exited()) return 'process exited';
      if (Date.now() > deadline) return 'timeout';
      try {
        linked ||= link();
        if (linked && (await isHealthy(socketPath, 1000))) return null;
      } catch (err) {
        return (err as Error).message;
      }
      await new Promise<void>((r) => {
        const timer = setTimeout(r, linked ? 5 : pollMs);
        wake = () => {
          clearTimeout(timer);
          r();
        };
      });
    }
  } finally {
    watcher?.close();
  }
}
