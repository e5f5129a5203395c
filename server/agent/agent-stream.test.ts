// /execute/stream over the real socket: frame order, coalescing, the output cap, kill, and
// rich_output frames; plus background processes and their three kill routes.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAgent, type AgentHandle } from './testing/harness.ts';

const CAP = 64 * 1024;
let agent: AgentHandle;
beforeAll(async () => {
  agent = await startAgent({ outputCap: CAP, warmPython: false });
});
afterAll(async () => {
  await agent?.close();
});

describe('agent /execute/stream', () => {
  it('streams stdout and stderr in order, then result and complete', async () => {
    const code = 'for i in 1 2 3; do echo "out $i"; echo "err $i" >&2; sleep 0.05; done';
    const frames = await agent.stream({ type: 'execute', code, language: 'bash' });
    const types = frames.map((f) => f.type);
    expect(types[0]).toBe('start');
    expect(types.slice(-2)).toEqual(['result', 'complete']);
    const lines = frames
      .filter((f) => f.type === 'stdout' || f.type === 'stderr')
      .flatMap((f) => String(f.data).split('\n').filter(Boolean));
    expect(lines).toEqual(['out 1', 'err 1', 'out 2', 'err 2', 'out 3', 'err 3']);
    expect(frames.at(-2)).toMatchObject({ exit_code: 0 });
    expect(frames.at(-1)).toEqual({ type: 'complete', success: true });
  });

  it('paces frames so a client reading one message at a time (as the JS SDK does) misses none', async () => {
    const { default: WebSocket } = await import('ws');
    // Mirror of @hopx-ai/sdk's reader: `ws.once('message')`, re-armed only after the consumer ran;
    // like the SDK's ws client it offers permessage-deflate.
    const ws = new WebSocket(`ws+unix://${agent.socket}:/execute/stream`);
    await new Promise((resolve) => ws.on('open', resolve));
    ws.send(
      JSON.stringify({ type: 'execute', code: 'echo a; echo b >&2; echo c; echo d >&2', language: 'bash' }),
    );
    const receive = () =>
      new Promise<Record<string, unknown> | null>((resolve) => {
        ws.once('message', (d) => resolve(JSON.parse(String(d)) as Record<string, unknown>));
        ws.once('close', () => resolve(null));
      });
    const seen: Record<string, unknown>[] = [];
    for (;;) {
      const msg = await Promise.race([receive(), new Promise<null>((r) => setTimeout(() => r(null), 5000))]);
      if (!msg) break;
      seen.push(msg);
      await new Promise((r) => setImmediate(r)); // the consumer does some work
      if (msg.type === 'complete') break;
    }
    ws.close();
    // Pipes do not order stdout against stderr, but nothing may be missing.
    const text = (type: string) =>
      seen
        .filter((f) => f.type === type)
        .map((f) => String(f.data))
        .join('');
    expect(text('stdout')).toBe('a\nc\n');
    expect(text('stderr')).toBe('b\nd\n');
    expect(seen[0]?.type).toBe('start');
    expect(seen.slice(-2).map((f) => f.type)).toEqual(['result', 'complete']);
  });

  it('coalesces a burst of small writes into few frames', async () => {
    const frames = await agent.stream({
      type: 'execute',
      code: 'for (let i = 0; i < 2000; i++) process.stdout.write("x")',
      language: 'javascript',
    });
    const out = frames.filter((f) => f.type === 'stdout');
    expect(out.map((f) => f.data).join('')).toBe('x'.repeat(2000));
    expect(out.length).toBeLessThan(50);
  });

  it('enforces the output cap and says truncated, while the run completes', async () => {
    const code = 'head -c 400000 /dev/zero | tr "\\0" "a"; echo; echo done-marker >&2; exit 0';
    const frames = await agent.stream({ type: 'execute', code, language: 'bash' });
    const text = frames
      .filter((f) => f.type === 'stdout' || f.type === 'stderr')
      .map((f) => String(f.data))
      .join('');
    expect(Buffer.byteLength(text)).toBeLessThanOrEqual(CAP);
    expect(text).not.toContain('done-marker');
    expect(frames.find((f) => f.type === 'result')).toMatchObject({ truncated: true, exit_code: 0 });
    const sync = await agent.call('POST', '/execute', { code, language: 'bash' });
    expect(sync.json()).toMatchObject({ truncated: true });
  });

  it('caps Python output too, including an oversized rich output', async () => {
    const big = await agent.call('POST', '/execute', { code: 'print("x" * 200_000)' });
    const res = big.json<{ stdout: string; truncated?: boolean }>();
    expect(Buffer.byteLength(res.stdout)).toBeLessThanOrEqual(CAP);
    expect(res.truncated).toBe(true);
    const html = await agent.call('POST', '/execute', {
      code: 'from IPython.display import HTML, display\ndisplay(HTML("<p>" + "y" * 200_000 + "</p>"))\nprint("after")',
    });
    // Past the cap the rest of the run's output is dropped too; the run itself completes.
    expect(html.json()).toMatchObject({ rich_outputs: [], truncated: true, stdout: '', success: true });
  });

  it('stops the run on a kill frame', async () => {
    const started = Date.now();
    const frames = await agent.stream(
      { type: 'execute', code: 'echo started; sleep 30', language: 'bash' },
      (ws) => {
        setTimeout(() => ws.send(JSON.stringify({ type: 'kill' })), 300);
      },
    );
    expect(Date.now() - started).toBeLessThan(5000);
    expect(frames.at(-1)).toEqual({ type: 'complete', success: false });
  });

  it('stops the run when the client closes the socket', async () => {
    const marker = `closed-socket-marker-${process.pid}`;
    // Two commands, so bash stays (no exec) with the marker in its command line.
    await agent.stream({ type: 'execute', code: `sleep 30; echo ${marker}`, language: 'bash' }, (ws) => {
      setTimeout(() => ws.close(), 300);
    });
    const deadline = Date.now() + 3000;
    let alive = true;
    while (alive && Date.now() < deadline) {
      // `[c]` keeps the pattern from matching the shell that runs pgrep.
      const check = await agent.call('POST', '/commands/run', {
        command: `pgrep -f "[c]${marker.slice(1)}" || true`,
      });
      alive = check.json<{ stdout: string }>().stdout.trim() !== '';
      if (alive) await new Promise((r) => setTimeout(r, 100));
    }
    expect(alive).toBe(false);
  });

  it('streams a command on /commands/stream with the same frames', async () => {
    const frames = await agent.stream(
      { type: 'execute', command: 'bash', args: ['-c', 'echo "hi $WHO"; exit 2'], env: { WHO: 'there' } },
      undefined,
      '/commands/stream',
    );
    expect(frames.map((f) => f.type)).toEqual(['start', 'stdout', 'result', 'complete']);
    expect(frames[1]).toMatchObject({ data: 'hi there\n' });
    expect(frames[2]).toMatchObject({ exit_code: 2 });
    expect(frames[3]).toEqual({ type: 'complete', success: false });
  });

  it('answers a bad first frame with an error frame', async () => {
    const frames = await agent.stream({ type: 'execute', code: 'x', language: 'fortran' });
    expect(frames[0]).toMatchObject({ type: 'error', code: 'INVALID_REQUEST' });
    expect(frames.at(-1)).toEqual({ type: 'complete', success: false });
  });
});

describe('agent background processes', () => {
  it('lists a background command and kills it through each of the three routes', async () => {
    const kills: [string, (id: string) => string][] = [
      ['DELETE', (id) => `/execute/kill?process_id=${id}`],
      ['POST', (id) => `/execute/kill/${id}`],
      ['POST', (id) => `/processes/${id}/kill`],
    ];
    for (const [method, path] of kills) {
      const started = await agent.call('POST', '/commands/background', {
        command: 'bash',
        args: ['-c', 'echo up; sleep 60'],
      });
      const { process_id } = started.json<{ process_id: string }>();
      expect(process_id).toMatch(/^proc_/);
      const killed = await agent.call(method, path(process_id));
      expect(killed.status).toBe(200);
      const deadline = Date.now() + 5000;
      let status = '';
      while (Date.now() < deadline) {
        const list = (await agent.call('GET', '/execute/processes')).json<{
          processes: { process_id: string; status: string }[];
        }>();
        status = list.processes.find((p) => p.process_id === process_id)?.status ?? '';
        if (status !== 'running') break;
        await new Promise((r) => setTimeout(r, 50));
      }
      expect(status).toBe('killed');
    }
    const missing = await agent.call('POST', '/execute/kill/proc_nope');
    expect(missing.status).toBe(404);
    expect(missing.json()).toMatchObject({ code: 'PROCESS_NOT_FOUND' });
  });

  it('runs background code to completion with its output recorded', async () => {
    const res = await agent.call('POST', '/execute/background', {
      code: 'console.log("bg done")',
      language: 'javascript',
      name: 'job',
    });
    const { process_id } = res.json<{ process_id: string }>();
    let proc: Record<string, unknown> = {};
    const deadline = Date.now() + 5000;
    while (Date.now() < deadline) {
      proc = (await agent.call('GET', `/execute/processes/${process_id}`)).json();
      if (proc.status !== 'running') break;
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(proc).toMatchObject({ status: 'completed', exit_code: 0, stdout: 'bg done\n', name: 'job' });
  });
});

describe('agent /terminal', () => {
  it('runs an interactive bash on a PTY, with resize, until exit', async () => {
    const { default: WebSocket } = await import('ws');
    const ws = new WebSocket(`ws+unix://${agent.socket}:/terminal?cols=100&rows=30`);
    const frames: { type: string; data?: string; code?: number }[] = [];
    const closed = new Promise<void>((resolve) => ws.on('close', () => resolve()));
    ws.on('message', (d) => frames.push(JSON.parse(String(d)) as { type: string }));
    await new Promise((resolve) => ws.on('open', resolve));
    ws.send(JSON.stringify({ type: 'input', data: 'stty size; echo "sum=$((6*7))"\n' }));
    const deadline = Date.now() + 5000;
    const output = () => frames.map((f) => f.data ?? '').join('');
    while (!output().includes('sum=42') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    ws.send(JSON.stringify({ type: 'resize', cols: 120, rows: 40 }));
    ws.send(JSON.stringify({ type: 'input', data: 'stty size; tty; exit 3\n' }));
    await closed;
    const text = output();
    expect(text).toContain('30 100');
    expect(text).toContain('sum=42');
    expect(text).toContain('40 120');
    expect(text).toMatch(/\/dev\/pts\/\d+/);
    expect(frames.at(-1)).toEqual({ type: 'exit', code: 3 });
  });
});
