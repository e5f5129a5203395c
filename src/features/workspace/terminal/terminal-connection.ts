/**
 * One shell in the sandbox: the agent's `/terminal` WebSocket (through the gateway, sandbox JWT as
 * `?token=`), frames per api-digest §5.12. A plain class: React reads its state through
 * subscribe/getSnapshot; PTY output goes straight to the callback (xterm), never through React.
 *
 * The shell lives as long as its socket (the agent kills it on close), so after a network drop the
 * connection comes back with a new shell and says so. It does not try while the sandbox is not
 * running (paused, stopped) and comes back by itself after resume.
 */
import { agentToken, agentWsUrl, type AgentTarget } from '@/api/agent';
import { RECONNECT_MAX_MS, RECONNECT_MIN_MS } from '@/api/intervals';

export type TerminalState =
  | 'connecting'
  | 'open'
  /** Dropped without the shell exiting; trying again with backoff. */
  | 'reconnecting'
  /** The sandbox is not running (or nobody is looking): no socket, no retries. */
  | 'offline'
  /** The shell ended (`exit`); a new one starts on request. */
  | 'exited'
  | 'disposed';

export interface TerminalSnapshot {
  state: TerminalState;
  exitCode: number | null;
  /** How many times this tab has had to start a new shell after a drop. */
  reconnects: number;
}

export interface TerminalCallbacks {
  output: (data: string) => void;
  /** A line for the person (reconnected, exited), printed in the terminal by the view. */
  notice: (text: string) => void;
}

interface Frame {
  type?: unknown;
  data?: unknown;
  code?: unknown;
}

export class TerminalConnection {
  #ws: WebSocket | null = null;
  #snap: TerminalSnapshot = { state: 'offline', exitCode: null, reconnects: 0 };
  #listeners = new Set<() => void>();
  #timer: ReturnType<typeof setTimeout> | null = null;
  #attempt = 0;
  #available = false;
  #watched = true;
  #everOpened = false;
  #size = { cols: 80, rows: 24 };
  #target: AgentTarget;

  constructor(
    target: AgentTarget,
    private readonly cb: TerminalCallbacks,
    private readonly WS: typeof WebSocket = WebSocket,
  ) {
    this.#target = target;
    if (typeof window !== 'undefined') window.addEventListener('online', this.#onOnline);
  }

  subscribe = (listener: () => void) => {
    this.#listeners.add(listener);
    return () => void this.#listeners.delete(listener);
  };

  getSnapshot = () => this.#snap;

  #set(patch: Partial<TerminalSnapshot>) {
    this.#snap = { ...this.#snap, ...patch };
    this.#listeners.forEach((l) => l());
  }

  setTarget(target: AgentTarget) {
    this.#target = target;
  }

  /** Whether to hold a shell now: the sandbox runs and the tab is on screen. */
  setAvailable(available: boolean) {
    if (this.#snap.state === 'disposed' || available === this.#available) return;
    this.#available = available;
    if (!available) {
      this.#stop();
      if (this.#snap.state !== 'exited') this.#set({ state: 'offline' });
    } else if (this.#snap.state === 'offline' && this.#watched) {
      void this.#connect();
    }
  }

  /**
   * Whether the terminal is on screen. An open shell stays open while the person looks at another
   * tab of the page; only a dropped one waits until they come back before reconnecting.
   */
  setWatched(watched: boolean) {
    this.#watched = watched;
    if (watched && this.#available && this.#snap.state === 'offline') void this.#connect();
  }

  /** Starts a new shell after `exit`. */
  restart() {
    if (this.#snap.state !== 'exited' || !this.#available) return;
    this.#everOpened = false;
    void this.#connect();
  }

  send(data: string) {
    if (this.#ws?.readyState === this.WS.OPEN) this.#ws.send(JSON.stringify({ type: 'input', data }));
  }

  resize(cols: number, rows: number) {
    this.#size = { cols, rows };
    if (this.#ws?.readyState === this.WS.OPEN) this.#ws.send(JSON.stringify({ type: 'resize', cols, rows }));
  }

  dispose() {
    this.#stop();
    if (typeof window !== 'undefined') window.removeEventListener('online', this.#onOnline);
    this.#set({ state: 'disposed' });
    this.#listeners.clear();
  }

  #onOnline = () => {
    if (this.#snap.state !== 'reconnecting') return;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    void this.#connect();
  };

  #stop() {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    const ws = this.#ws;
    this.#ws = null;
    if (ws) {
      ws.onopen = ws.onmessage = ws.onclose = ws.onerror = null;
      ws.close(1000);
    }
  }

  async #connect() {
    this.#stop();
    this.#set({ state: this.#everOpened ? 'reconnecting' : 'connecting' });
    let token: string;
    try {
      // From the second failed attempt on, a fresh token (covers an expired or revoked JWT).
      token = await agentToken(this.#target, { force: this.#attempt > 0 });
    } catch {
      return this.#retry();
    }
    if (!this.#available || this.#snap.state === 'disposed') return;
    const url = new URL(agentWsUrl(this.#target.public_host, '/terminal', token));
    url.searchParams.set('cols', String(this.#size.cols));
    url.searchParams.set('rows', String(this.#size.rows));
    const ws = new this.WS(url.toString());
    this.#ws = ws;
    let exited = false;
    ws.onopen = () => {
      if (this.#everOpened)
        this.cb.notice('Reconnected: this is a new shell (the previous one ended with the connection).');
      this.#everOpened = true;
      this.#attempt = 0;
      this.#set({ state: 'open', exitCode: null });
      ws.send(JSON.stringify({ type: 'resize', ...this.#size }));
    };
    ws.onmessage = (ev: MessageEvent) => {
      if (typeof ev.data !== 'string') return;
      let frame: Frame;
      try {
        frame = JSON.parse(ev.data) as Frame;
      } catch {
        return; // keep-alives and anything that is not JSON are skipped, like the SDKs do
      }
      if (frame.type === 'output' && typeof frame.data === 'string') this.cb.output(frame.data);
      else if (frame.type === 'exit') {
        exited = true;
        const code = typeof frame.code === 'number' ? frame.code : null;
        this.cb.notice(`Shell exited${code === null ? '' : ` with code ${code}`}.`);
        this.#set({ state: 'exited', exitCode: code });
      }
    };
    ws.onclose = () => {
      if (this.#ws !== ws) return;
      this.#ws = null;
      if (exited || this.#snap.state === 'exited') return;
      this.#retry();
    };
  }

  #retry() {
    if (this.#snap.state === 'disposed') return;
    if (!this.#available || !this.#watched) return this.#set({ state: 'offline' });
    const delay = Math.min(RECONNECT_MAX_MS, RECONNECT_MIN_MS * 2 ** this.#attempt);
    this.#attempt += 1;
    this.#set({
      state: this.#everOpened || this.#attempt > 1 ? 'reconnecting' : 'connecting',
      reconnects: this.#snap.reconnects + (this.#attempt === 1 && this.#everOpened ? 1 : 0),
    });
    this.#timer = setTimeout(() => {
      this.#timer = null;
      void this.#connect();
    }, delay);
  }
}
