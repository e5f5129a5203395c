/**
 * Live refresh of the Files tab: the agent's `/files/watch` WebSocket for the folder on screen.
 * A plain class; each batch of changes (coalesced for 250 ms) is handed to `onChange`, which
 * invalidates the listings in the query cache. Reconnects with backoff while wanted.
 */
import { agentToken, agentWsUrl, type AgentTarget } from '@/api/agent';
import { RECONNECT_MAX_MS, RECONNECT_MIN_MS } from '@/api/intervals';

const COALESCE_MS = 250;

export class FileWatch {
  #ws: WebSocket | null = null;
  #timer: ReturnType<typeof setTimeout> | null = null;
  #flush: ReturnType<typeof setTimeout> | null = null;
  #changed = new Set<string>();
  #attempt = 0;
  #closed = false;

  constructor(
    private readonly target: AgentTarget,
    private readonly path: string,
    private readonly onChange: (paths: string[]) => void,
    private readonly WS: typeof WebSocket = WebSocket,
  ) {
    void this.#connect();
  }

  close() {
    this.#closed = true;
    if (this.#timer) clearTimeout(this.#timer);
    if (this.#flush) clearTimeout(this.#flush);
    const ws = this.#ws;
    this.#ws = null;
    if (ws) {
      ws.onopen = ws.onmessage = ws.onclose = null;
      ws.close(1000);
    }
  }

  async #connect() {
    let token: string;
    try {
      token = await agentToken(this.target, { force: this.#attempt > 1 });
    } catch {
      return this.#retry();
    }
    if (this.#closed) return;
    const ws = new this.WS(agentWsUrl(this.target.public_host, '/files/watch', token));
    this.#ws = ws;
    ws.onopen = () => {
      this.#attempt = 0;
      ws.send(JSON.stringify({ action: 'watch', path: this.path }));
    };
    ws.onmessage = (ev: MessageEvent) => {
      if (typeof ev.data !== 'string') return;
      let frame: { type?: unknown; path?: unknown };
      try {
        frame = JSON.parse(ev.data) as typeof frame;
      } catch {
        return;
      }
      // The folder is gone or cannot be watched: stop (the listing shows the error).
      if (frame.type === 'error') return this.close();
      if (frame.type !== 'change' || typeof frame.path !== 'string') return;
      this.#changed.add(frame.path);
      this.#flush ??= setTimeout(() => {
        this.#flush = null;
        const paths = [...this.#changed];
        this.#changed.clear();
        this.onChange(paths);
      }, COALESCE_MS);
    };
    ws.onclose = () => {
      if (this.#ws === ws) this.#retry();
    };
  }

  #retry() {
    if (this.#closed) return;
    this.#ws = null;
    const delay = Math.min(RECONNECT_MAX_MS, RECONNECT_MIN_MS * 2 ** this.#attempt);
    this.#attempt += 1;
    this.#timer = setTimeout(() => void this.#connect(), delay);
  }
}
