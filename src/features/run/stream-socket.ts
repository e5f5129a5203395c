/** Opening the agent's `/execute/stream` WebSocket, and keeping one spare socket ready for the next run. */
import { agentToken, agentWsUrl, type AgentTarget } from '@/api/agent';

/** A pre-opened socket is used only while younger than this (the agent drops idle ones at 30 s). */
const SPARE_MAX_AGE_MS = 20_000;

function whenOpen(ws: WebSocket): Promise<boolean> {
  return new Promise<boolean>((resolve) => {
    ws.onopen = () => resolve(true);
    ws.onerror = () => resolve(false);
    ws.onclose = () => resolve(false);
  });
}

/**
 * Opens the stream socket. A refused upgrade looks like a plain close to a browser, so it retries
 * once with a freshly issued token, which covers an expired or revoked JWT.
 */
export async function openStreamSocket(
  WS: typeof WebSocket,
  target: AgentTarget,
  stillWanted: () => boolean,
): Promise<WebSocket> {
  for (let attempt = 0; attempt < 2; attempt++) {
    const token = await agentToken(target, { force: attempt > 0 });
    if (!stillWanted()) throw new Error('superseded');
    const ws = new WS(agentWsUrl(target.public_host, '/execute/stream', token));
    const opened = await whenOpen(ws);
    ws.onopen = ws.onerror = ws.onclose = null;
    if (opened) return ws;
  }
  throw new Error('Cannot connect to the sandbox agent (is the sandbox running?).');
}

interface Spare {
  ws: WebSocket;
  host: string;
  openedAt: number;
  ready: Promise<boolean>;
  expiry: ReturnType<typeof setTimeout>;
}

/** At most one pre-opened socket, so that pressing Run costs a frame instead of a handshake. */
export class SpareSocket {
  #spare: Spare | null = null;
  #opening = false;

  constructor(private readonly WS: typeof WebSocket) {}

  preconnect(target: AgentTarget): void {
    const s = this.#spare;
    if (this.#opening) return;
    if (s && s.host === target.public_host && performance.now() - s.openedAt < SPARE_MAX_AGE_MS / 2) return;
    this.drop();
    this.#opening = true;
    void agentToken(target)
      .then((token) => {
        if (this.#spare) return;
        const ws = new this.WS(agentWsUrl(target.public_host, '/execute/stream', token));
        const ready = whenOpen(ws).then((ok) => {
          if (!ok && this.#spare?.ws === ws) this.drop();
          return ok;
        });
        const expiry = setTimeout(() => this.#spare?.ws === ws && this.drop(), SPARE_MAX_AGE_MS);
        this.#spare = { ws, host: target.public_host, openedAt: performance.now(), ready, expiry };
      })
      .catch(() => undefined)
      .finally(() => {
        this.#opening = false;
      });
  }

  /** The spare socket if it is open and fits this target; otherwise null (and it is discarded). */
  async take(target: AgentTarget): Promise<WebSocket | null> {
    const s = this.#spare;
    if (!s) return null;
    if (s.host !== target.public_host || performance.now() - s.openedAt > SPARE_MAX_AGE_MS) {
      this.drop();
      return null;
    }
    this.#spare = null;
    clearTimeout(s.expiry);
    const ok = await s.ready;
    s.ws.onopen = s.ws.onerror = s.ws.onclose = null;
    if (ok && s.ws.readyState === s.ws.OPEN) return s.ws;
    s.ws.close();
    return null;
  }

  drop(): void {
    const s = this.#spare;
    this.#spare = null;
    if (!s) return;
    clearTimeout(s.expiry);
    s.ws.onopen = s.ws.onerror = s.ws.onclose = null;
    s.ws.close();
  }
}
