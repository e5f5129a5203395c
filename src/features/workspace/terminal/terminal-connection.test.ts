import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { TerminalConnection } from './terminal-connection';

vi.mock('@/api/agent', () => ({
  agentToken: () => Promise.resolve('tok'),
  agentWsUrl: (host: string, path: string, token: string) =>
    `${host.replace('http', 'ws')}${path}?token=${token}`,
}));

class FakeSocket {
  static OPEN = 1;
  static all: FakeSocket[] = [];
  readonly OPEN = 1;
  readyState = 0;
  sent: string[] = [];
  onopen: (() => void) | null = null;
  onmessage: ((e: { data: string }) => void) | null = null;
  onclose: (() => void) | null = null;
  onerror: (() => void) | null = null;
  constructor(readonly url: string) {
    FakeSocket.all.push(this);
  }
  send(d: string) {
    this.sent.push(d);
  }
  close() {
    this.readyState = 3;
  }
  open() {
    this.readyState = 1;
    this.onopen?.();
  }
  drop() {
    this.readyState = 3;
    this.onclose?.();
  }
}

const target = { id: 'sb', public_host: 'http://127.0.0.1:7100' };
const flush = () => new Promise((r) => setTimeout(r, 0));

describe('TerminalConnection', () => {
  beforeEach(() => {
    FakeSocket.all = [];
  });
  afterEach(() => vi.useRealTimers());

  it('opens only while available, sends input and resize frames, and writes output', async () => {
    const output = vi.fn();
    const c = new TerminalConnection(
      target,
      { output, notice: vi.fn() },
      FakeSocket as unknown as typeof WebSocket,
    );
    await flush();
    expect(FakeSocket.all).toHaveLength(0);
    c.setAvailable(true);
    await flush();
    const ws = FakeSocket.all[0]!;
    expect(ws.url).toContain('/terminal?token=tok');
    ws.open();
    expect(c.getSnapshot().state).toBe('open');
    c.send('ls\n');
    c.resize(100, 30);
    expect(ws.sent.map((s) => JSON.parse(s) as unknown)).toContainEqual({ type: 'input', data: 'ls\n' });
    expect(ws.sent.map((s) => JSON.parse(s) as unknown)).toContainEqual({
      type: 'resize',
      cols: 100,
      rows: 30,
    });
    ws.onmessage?.({ data: JSON.stringify({ type: 'output', data: 'hi' }) });
    ws.onmessage?.({ data: 'not json' });
    expect(output).toHaveBeenCalledWith('hi');
    c.dispose();
  });

  it('reconnects after a drop with a new shell, and stops while the sandbox is paused', async () => {
    vi.useFakeTimers();
    const notice = vi.fn();
    const c = new TerminalConnection(
      target,
      { output: vi.fn(), notice },
      FakeSocket as unknown as typeof WebSocket,
    );
    c.setAvailable(true);
    await vi.runOnlyPendingTimersAsync();
    FakeSocket.all[0]!.open();
    FakeSocket.all[0]!.drop();
    expect(c.getSnapshot().state).toBe('reconnecting');
    await vi.advanceTimersByTimeAsync(1000);
    expect(FakeSocket.all).toHaveLength(2);
    FakeSocket.all[1]!.open();
    expect(c.getSnapshot().state).toBe('open');
    expect(notice).toHaveBeenCalledWith(expect.stringMatching(/new shell/));

    c.setAvailable(false);
    expect(c.getSnapshot().state).toBe('offline');
    await vi.advanceTimersByTimeAsync(30_000);
    expect(FakeSocket.all).toHaveLength(2);
    c.setAvailable(true);
    await vi.advanceTimersByTimeAsync(0);
    expect(FakeSocket.all).toHaveLength(3);
    c.dispose();
  });

  it('an exit frame ends the shell without reconnecting; restart starts a new one', async () => {
    vi.useFakeTimers();
    const c = new TerminalConnection(
      target,
      { output: vi.fn(), notice: vi.fn() },
      FakeSocket as unknown as typeof WebSocket,
    );
    c.setAvailable(true);
    await vi.runOnlyPendingTimersAsync();
    const ws = FakeSocket.all[0]!;
    ws.open();
    ws.onmessage?.({ data: JSON.stringify({ type: 'exit', code: 0 }) });
    ws.drop();
    await vi.advanceTimersByTimeAsync(30_000);
    expect(c.getSnapshot()).toMatchObject({ state: 'exited', exitCode: 0 });
    expect(FakeSocket.all).toHaveLength(1);
    c.restart();
    await vi.advanceTimersByTimeAsync(0);
    expect(FakeSocket.all).toHaveLength(2);
    c.dispose();
  });
});
