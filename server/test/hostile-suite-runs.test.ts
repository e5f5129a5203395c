// Hostile suite (issue 12): CPU spin on every core, output floods (execute and stream), a single
// 50 MB line, and HTML/JS/SVG outputs. Each case: the run ends with a bounded answer, the host is
// untouched and the neighbour runs code (while the CPU spins too).
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  call,
  expectHostUntouched,
  healthMs,
  neighbourMs,
  report,
  setStage,
  type Stage,
} from './hostile-agent-helpers.ts';

const MB = 1024 * 1024;
let stage: Stage;
beforeAll(async () => {
  stage = await setStage({ vcpu: 2 });
});
afterAll(async () => {
  await stage?.e.dispose();
});

const run = (language: string, code: string, timeout = 30) =>
  call(stage.s, 'POST', '/execute', { language, code, timeout }, (timeout + 30) * 1000);

/** /execute/stream over the gateway's WebSocket: every frame, and the bytes received. */
function stream(
  code: string,
  language = 'bash',
): Promise<{ frames: Record<string, unknown>[]; bytes: number }> {
  const ws = new WebSocket(`${stage.s.public_host.replace('http', 'ws')}/execute/stream`, {
    headers: { authorization: `Bearer ${stage.s.auth_token}` },
  });
  const frames: Record<string, unknown>[] = [];
  let bytes = 0;
  ws.on('open', () => ws.send(JSON.stringify({ type: 'execute', language, code, timeout: 60 })));
  ws.on('message', (d: Buffer) => {
    bytes += d.byteLength;
    frames.push(JSON.parse(d.toString()) as Record<string, unknown>);
  });
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error('stream did not end')), 90_000);
    ws.on('error', reject);
    ws.on('close', () => {
      clearTimeout(t);
      resolve({ frames, bytes });
    });
  });
}

describe('hostile suite: runs', { timeout: 180_000 }, () => {
  it('CPU spin on all cores: /health and the neighbour answer while it spins', async () => {
    // Four spinners (the host has 2 cores, the sandbox 2 vCPUs), ended by the command's timeout.
    const spin = call(
      stage.s,
      'POST',
      '/commands/run',
      { command: 'for i in 1 2 3 4; do (while :; do :; done) & done; wait', timeout: 8 },
      60_000,
    );
    await new Promise((r) => setTimeout(r, 2000));
    const during = { healthMs: [] as number[], neighbourMs: [] as number[] };
    for (let i = 0; i < 3; i++) {
      during.healthMs.push(await healthMs(stage.e));
      during.neighbourMs.push(await neighbourMs(stage.n));
    }
    report('CPU spin on all cores (while spinning)', during);
    const r = await spin;
    expect(r.status, r.text).toBe(200);
    expect(r.body.exit_code).not.toBe(0); // ended by its timeout
    await expectHostUntouched(stage, 'CPU spin on all cores (4 spinners, 8 s timeout)');
  });

  it('an output flood through /execute is capped (1 MiB) and says so', async () => {
    const r = await run('bash', 'yes hostile-output-flood | head -c 200000000; echo done >&2');
    expect(r.status, r.text.slice(0, 200)).toBe(200);
    expect(r.body.truncated).toBe(true);
    expect(String(r.body.stdout).length).toBeLessThanOrEqual(MB);
    expect(r.bytes).toBeLessThan(2 * MB);
    await expectHostUntouched(stage, 'output flood, /execute (200 MB of stdout)');
  });

  it('an output flood through /execute/stream is capped too, and the stream ends', async () => {
    const { frames, bytes } = await stream('yes hostile-stream-flood | head -c 200000000');
    expect(frames.map((f) => f.type)).toContain('complete');
    const out = frames.filter((f) => f.type === 'stdout').reduce((n, f) => n + String(f.data).length, 0);
    expect(out).toBeLessThanOrEqual(MB);
    expect(bytes).toBeLessThan(3 * MB);
    report('output flood, /execute/stream (frames)', { frames: frames.length, bytes });
    await expectHostUntouched(stage, 'output flood, /execute/stream (200 MB of stdout)');
  });

  it('a single 50 MB line (Python print) is capped; the kernel goes on', async () => {
    const r = await run('python', 'line = "x" * 50_000_000\nprint(line)\nkept = len(line)');
    expect(r.status, r.text.slice(0, 200)).toBe(200);
    expect(String(r.body.stdout ?? '').length).toBeLessThanOrEqual(MB);
    expect(r.bytes).toBeLessThan(2 * MB);
    expect(r.body.truncated).toBe(true);
    const next = await run('python', 'print(kept)');
    expect(next.body, next.text).toMatchObject({ success: true, stdout: '50000000\n' });
    // The same line from a process (bash) through the stream.
    const { frames, bytes } = await stream("head -c 50000000 /dev/zero | tr '\\0' x; echo");
    expect(frames.map((f) => f.type)).toContain('complete');
    expect(bytes).toBeLessThan(3 * MB);
    await expectHostUntouched(stage, 'a single 50 MB line (Python print, bash stream)');
  });

  it('HTML, JavaScript and SVG outputs come back as data, never run by the engine', async () => {
    const payload =
      '<img src=x onerror="fetch(\'http://127.0.0.1/pwn\')"><script>document.title="pwned"</script>';
    const r = await run(
      'python',
      'from IPython.display import display, HTML, SVG, Javascript\n' +
        `display(HTML(${JSON.stringify(payload)}))\n` +
        'display(SVG(\'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>\'))\n' +
        'display(Javascript("alert(document.cookie)"))\n' +
        `print(${JSON.stringify(payload)})`,
    );
    expect(r.status, r.text).toBe(200);
    const outputs = r.body.rich_outputs as { type?: string; data?: Record<string, unknown> }[];
    const text = JSON.stringify(outputs);
    // The markup is returned verbatim, as JSON strings: rendering (in a sandboxed iframe on the
    // frames origin) is the dashboard's job, covered by e2e/run.spec.ts.
    expect(text).toContain('onerror=');
    expect(text).toContain('<script>alert(1)</script>');
    expect(text).toContain('alert(document.cookie)');
    expect(r.body.stdout).toBe(`${payload}\n`);
    // The engine answers JSON, never HTML, so a browser opening the URL does not render it.
    const raw = await fetch(`${stage.s.public_host}/execute`, {
      method: 'POST',
      headers: { authorization: `Bearer ${stage.s.auth_token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ language: 'python', code: `print(${JSON.stringify(payload)})` }),
    });
    expect(raw.headers.get('content-type')).toMatch(/^application\/json/);
    await raw.text();
    await expectHostUntouched(stage, 'HTML/JS/SVG outputs');
  });
});
