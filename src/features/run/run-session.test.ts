import { afterEach, describe, expect, it } from 'vitest';
import { RunSession } from './run-session';

/** A stand-in for the browser WebSocket: records what the session sends, lets the test push frames. */
class FakeSocket {
  static last: FakeSocket | null = null;
  readonly OPEN = 1;
  readonly CONNECTING = 0;
  readyState = 0;
  sent: unknown[] = [];
  url: string;
  onopen: (() => void) | null = null;
  onerror: (() => void) | null = null;
  onclose: (() => void) | null = null;
  onmessage: ((ev: { data: unknown }) => void) | null = null;
  constructor(url: string) {
    this.url = url;
    FakeSocket.last = this;
    queueMicrotask(() => {
      this.readyState = 1;
      this.onopen?.();
    });
  }
  send(data: string) {
    this.sent.push(JSON.parse(data));
  }
  close() {
    if (this.readyState === 3) return;
    this.readyState = 3;
    this.onclose?.();
  }
  push(frame: unknown) {
    this.onmessage?.({ data: typeof frame === 'string' ? frame : JSON.stringify(frame) });
  }
}

const target = {
  id: 'sandbox_test',
  public_host: 'http://127.0.0.1:7301',
  auth_token: 'jwt-for-test',
  token_expires_at: new Date(Date.now() + 3600_000).toISOString(),
};
const ts = '2026-11-26T00:00:00Z';

function setup() {
  const flushes: (() => void)[] = [];
  const session = new RunSession({
    schedule: (cb) => flushes.push(cb),
    WebSocketImpl: FakeSocket as unknown as typeof WebSocket,
  });
  const flush = () => flushes.splice(0).forEach((f) => f());
  return { session, flush };
}

afterEach(() => {
  FakeSocket.last = null;
});

describe('RunSession', () => {
  it('connects with ?token=, sends the execute frame, and shows frames in order once per batch', async () => {
    const { session, flush } = setup();
    await session.run({ target, code: 'print(1)', language: 'python' });
    const ws = FakeSocket.last!;
    expect(ws.url).toBe('ws://127.0.0.1:7301/execute/stream?token=jwt-for-test');
    expect(ws.sent[0]).toMatchObject({ type: 'execute', code: 'print(1)', language: 'python' });
    expect(session.getSnapshot().status).toBe('running');

    ws.push({ type: 'start', execution_id: 'exec_1', timestamp: ts });
    ws.push({ type: 'stdout', data: 'one\n', timestamp: ts });
    ws.push('not json');
    ws.push({ type: 'stdout', data: 42, timestamp: ts }); // invalid: ignored
    ws.push({ type: 'stderr', data: 'warn\n', timestamp: ts });
    ws.push({ type: 'stdout', data: 'two\n', timestamp: ts });
    expect(session.getSnapshot().items).toHaveLength(0); // nothing rendered before the batch runs
    flush();
    const items = session.getSnapshot().items.map((i) => ('text' in i ? [i.kind, i.text] : [i.kind]));
    expect(items).toEqual([
      ['stdout', 'one\n'],
      ['stderr', 'warn\n'],
      ['stdout', 'two\n'],
    ]);
    expect(session.getSnapshot().firstStdoutMs).not.toBeNull();

    ws.push({ type: 'result', exit_code: 0, execution_time: 0.01, timestamp: ts });
    ws.push({ type: 'complete', success: true });
    const s = session.getSnapshot();
    expect(s).toMatchObject({ status: 'done', exitCode: 0, executionTime: 0.01, executionId: 'exec_1' });
    expect(ws.readyState).toBe(3);
  });

  it('keeps a socket ready after a run, and the next run uses it without a new handshake', async () => {
    const { session } = setup();
    await session.run({ target, code: 'print(1)', language: 'python' });
    const first = FakeSocket.last!;
    first.push({ type: 'complete', success: true });
    await new Promise((r) => setTimeout(r, 0)); // the spare opens after the token lookup
    const spare = FakeSocket.last!;
    expect(spare).not.toBe(first);
    expect(spare.sent).toEqual([]);
    await session.run({ target, code: 'print(2)', language: 'python' });
    expect(FakeSocket.last).toBe(spare);
    expect(spare.sent[0]).toMatchObject({ type: 'execute', code: 'print(2)' });
  });

  it('Stop asks the agent to kill the run and ends as stopped', async () => {
    const { session } = setup();
    await session.run({ target, code: 'while True: pass', language: 'python' });
    const ws = FakeSocket.last!;
    session.stop();
    expect(ws.sent[1]).toEqual({ type: 'kill' });
    ws.push({ type: 'result', exit_code: 137, execution_time: 1, timestamp: ts });
    ws.push({ type: 'complete', success: false });
    expect(session.getSnapshot().status).toBe('stopped');
  });

  it('an interrupted run ends calmly: one note, no traceback, error box or exit 137', async () => {
    const { session, flush } = setup();
    await session.run({ target, code: 'x = 1\nwhile True: pass', language: 'python' });
    const ws = FakeSocket.last!;
    ws.push({ type: 'stdout', data: 'working\n', timestamp: ts });
    session.stop();
    ws.push({
      type: 'stderr',
      data: 'KeyboardInterrupt  Traceback (most recent call last)\n',
      timestamp: ts,
    });
    ws.push({ type: 'error', error: 'Execution killed', code: 'EXECUTION_FAILED', timestamp: ts });
    ws.push({ type: 'result', exit_code: 137, execution_time: 1, timestamp: ts });
    ws.push({ type: 'complete', success: false });
    flush();
    const s = session.getSnapshot();
    expect(s.status).toBe('stopped');
    expect(s.exitCode).toBeNull();
    expect(s.items.map((i) => i.kind)).toEqual(['stdout', 'notice']);
    expect(s.items[1]).toMatchObject({
      text: 'Interrupted.',
    });
  });

  it('shows a past run from the history with its stored output, and clears it', () => {
    const { session } = setup();
    session.showPast({
      id: 'exec_1',
      object: 'execution',
      sandbox_id: 'sandbox_test',
      language: 'python',
      code: 'print(1)',
      status: 'completed',
      stdout: '1\n',
      stderr: '',
      exit_code: 0,
      execution_time: 0.01,
      rich_outputs: [{ type: 'text/markdown', format: 'text', data: '# hi' }],
      truncated: false,
      created_at: ts,
      completed_at: ts,
    });
    const s = session.getSnapshot();
    expect(s).toMatchObject({ status: 'done', exitCode: 0, past: { id: 'exec_1', createdAt: ts } });
    expect(s.items.map((i) => i.kind)).toEqual(['stdout', 'rich']);
    session.clear();
    expect(session.getSnapshot()).toMatchObject({ status: 'idle', items: [], past: null });
  });

  it('asks for input() inline: the prompt waits for an answer, which goes back to the agent', async () => {
    const { session, flush } = setup();
    await session.run({ target, code: "name = input('Name? ')", language: 'python' });
    const ws = FakeSocket.last!;
    ws.push({ type: 'stdout', data: 'before\n', timestamp: ts });
    ws.push({ type: 'input_request', prompt: 'Name? ', password: false, timestamp: ts });
    expect(session.getSnapshot().input).toEqual({ prompt: 'Name? ', password: false });
    session.answer('Ada');
    expect(ws.sent.at(-1)).toEqual({ type: 'input', value: 'Ada' });
    flush();
    expect(session.getSnapshot().input).toBeNull();
    const text = session
      .getSnapshot()
      .items.map((i) => ('text' in i ? i.text : ''))
      .join('');
    expect(text).toBe('before\nName? Ada\n');
  });

  it('never shows a password answer', async () => {
    const { session, flush } = setup();
    await session.run({ target, code: 'getpass()', language: 'python' });
    FakeSocket.last!.push({ type: 'input_request', prompt: 'Password: ', password: true, timestamp: ts });
    session.answer('s3cret');
    flush();
    expect(JSON.stringify(session.getSnapshot().items)).not.toContain('s3cret');
  });

  it('an early close is a failure the person can read', async () => {
    const { session } = setup();
    await session.run({ target, code: 'x', language: 'bash' });
    FakeSocket.last!.close();
    expect(session.getSnapshot()).toMatchObject({ status: 'failed' });
    expect(session.getSnapshot().failure).toMatch(/closed before the run finished/);
  });

  it('turns rich_output frames (MIME type in mime_type) into rich items', async () => {
    const { session, flush } = setup();
    await session.run({ target, code: 'df', language: 'python' });
    const ws = FakeSocket.last!;
    ws.push({
      type: 'rich_output',
      mime_type: 'text/html',
      format: 'html',
      data: '<table></table>',
      timestamp: ts,
    });
    flush();
    const [item] = session.getSnapshot().items;
    expect(item).toMatchObject({ kind: 'rich', output: { type: 'text/html', data: '<table></table>' } });
  });

  it('marks the output truncated when the agent says so', async () => {
    const { session, flush } = setup();
    await session.run({ target, code: 'x', language: 'bash' });
    const ws = FakeSocket.last!;
    ws.push({ type: 'result', exit_code: 0, execution_time: 1, truncated: true, timestamp: ts });
    ws.push({ type: 'complete', success: true });
    flush();
    expect(session.getSnapshot().truncated).toBe(true);
  });
});
