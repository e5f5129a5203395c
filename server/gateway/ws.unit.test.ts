/**
 * The gateway's WebSocket relay against a scripted upstream (testing/stub-agent.ts): frame order,
 * garbage and oversized frames, early closes, Origin checks, the run history of a stream.
 */
import { WSClient } from '@hopx-ai/sdk';
import { describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { ORIGIN, openWs, useStubGateway } from './testing/stub-fixture.ts';

const fx = useStubGateway('sandbox_unitgatewayws001');
const SEVEN = ['start', 'stdout', 'stderr', 'stdout', 'rich_output', 'result', 'complete'];

describe('gateway WebSocket relay', () => {
  it('relays /execute/stream frames in order and records the run', async () => {
    fx.started.length = 0;
    fx.finished.length = 0;
    const c = openWs(fx.port, '/execute/stream', fx.auth());
    await c.opened;
    c.ws.send(JSON.stringify({ type: 'execute', code: 'print(1)', language: 'python' }));
    await expect.poll(() => c.frames.length).toBe(7);
    expect(c.frames.map((f) => (JSON.parse(f) as { type: string }).type)).toEqual([
      'start',
      'stdout',
      'stderr',
      'stdout',
      'rich_output',
      'result',
      'complete',
    ]);
    c.ws.close();
    await c.closed;
    expect(fx.started[0]).toMatchObject({ id: 'exec_stub0001', status: 'running', code: 'print(1)' });
    expect(fx.finished[0]).toMatchObject({
      id: 'exec_stub0001',
      status: 'completed',
      stdout: 'one\n8\n',
      stderr: 'warn\n',
      exit_code: 0,
      rich_outputs: [{ type: 'text/html', data: '<b>x</b>' }],
    });
  });

  it("delivers a burst to the official SDK's reader, which drops frames that share a read", async () => {
    // The stub agent writes all seven frames of a run in one tick, like the real agent's ending.
    // The SDK's ws offers permessage-deflate; the gateway accepts, so each frame is inflated on
    // its own and the SDK's one-listener-at-a-time reader sees them all.
    const client = new WSClient(fx.base, fx.token);
    const ws = await client.connect('/execute/stream');
    expect(ws.extensions).toContain('permessage-deflate');
    client.send(ws, { type: 'execute', code: 'x', language: 'python' });
    const types: string[] = [];
    const read = (async () => {
      for await (const m of client.messages(ws)) {
        types.push((m as { type: string }).type);
        if (types.at(-1) === 'complete') break;
      }
    })();
    await Promise.race([read, new Promise((r) => setTimeout(r, 3000))]);
    ws.close();
    expect(types).toEqual(SEVEN);
  });

  it('paces the burst for a non-browser client without deflate, so an SDK-style reader sees it all', async () => {
    const ws = new WebSocket(`ws://127.0.0.1:${fx.port}/execute/stream`, {
      headers: fx.auth(),
      perMessageDeflate: false,
    });
    await new Promise((r) => ws.once('open', r));
    ws.send(JSON.stringify({ type: 'execute', code: 'x', language: 'python' }));
    // The SDK's reader: one `once('message')` at a time, re-armed after its consumer ran.
    const next = () => new Promise<string>((r) => ws.once('message', (d) => r(d.toString())));
    const types: string[] = [];
    const read = (async () => {
      while (types.at(-1) !== 'complete') {
        const frame = JSON.parse(await next()) as { type: string };
        await Promise.resolve();
        types.push(frame.type);
      }
    })();
    await Promise.race([read, new Promise((r) => setTimeout(r, 3000))]);
    ws.close();
    expect(types).toEqual(SEVEN);
  });

  it('records a run the client kills and leaves as killed, with the output so far', async () => {
    const c = openWs(fx.port, '/execute/stream', fx.auth());
    await c.opened;
    c.ws.send(JSON.stringify({ type: 'execute', code: 'hang', language: 'bash' }));
    await expect.poll(() => c.frames.length).toBe(2);
    c.ws.send(JSON.stringify({ type: 'kill' }));
    c.ws.close();
    await c.closed;
    await expect
      .poll(() => fx.finished.find((e) => e.id === 'exec_stubhang'))
      .toMatchObject({
        status: 'killed',
        language: 'bash',
        stdout: 'working\n',
        exit_code: null,
      });
  });

  it('survives garbage frames and relays them untouched', async () => {
    const c = openWs(fx.port, '/garbage', fx.auth());
    await c.opened;
    c.ws.send('go');
    await expect.poll(() => c.frames.length).toBe(5);
    expect(c.frames[0]).toBe('not json {');
    c.ws.close();
    await c.closed;
  });

  it('cuts both sides on an oversized frame and keeps serving', async () => {
    const c = openWs(fx.port, '/huge', fx.auth());
    await c.opened;
    c.ws.send('go');
    expect((await c.closed).code).toBe(1009);
    const after = await fetch(`${fx.base}/anything`, { headers: fx.auth() });
    expect(after.status).toBe(200);
  });

  it('passes the agent closing early to the client, and refusals of the upgrade', async () => {
    const c = openWs(fx.port, '/close-early', fx.auth());
    expect((await c.closed).code).toBe(4001);
    expect(await openWs(fx.port, '/missing', fx.auth()).refused).toBe(404);
  });

  it('cuts a client that stops answering pings, and closes the agent side with it', async () => {
    const silent = openWs(fx.port, '/echo', fx.auth(), false);
    await silent.opened;
    const t0 = performance.now();
    await silent.closed;
    expect(performance.now() - t0).toBeLessThan(3000);
    await expect.poll(() => fx.stub.openSockets()).toBe(0);
    const answering = openWs(fx.port, '/echo', fx.auth());
    await answering.opened;
    await new Promise((r) => setTimeout(r, 1000));
    expect(answering.ws.readyState).toBe(answering.ws.OPEN);
    answering.ws.close();
    await answering.closed;
  });

  it('checks the Origin of browser upgrades', async () => {
    expect(await openWs(fx.port, '/echo', { ...fx.auth(), origin: 'http://evil.test' }).refused).toBe(403);
    const ok = openWs(fx.port, '/echo', { ...fx.auth(), origin: ORIGIN });
    await ok.opened;
    ok.ws.send('ping');
    await expect.poll(() => ok.frames).toEqual(['ping']);
    ok.ws.close();
    await ok.closed;
  });

  it('gives a browser on loopback frames without permessage-deflate, in order, and keeps it for SDKs', async () => {
    // ws offers permessage-deflate by default, as browsers do.
    const browser = openWs(fx.port, '/execute/stream', { ...fx.auth(), origin: ORIGIN });
    await browser.opened;
    expect(browser.ws.extensions).toBe('');
    browser.ws.send(JSON.stringify({ type: 'execute', code: 'x', language: 'python' }));
    await expect
      .poll(() => browser.frames.map((f) => (JSON.parse(f) as { type: string }).type))
      .toEqual(SEVEN);
    browser.ws.close();
    await browser.closed;
    const sdk = openWs(fx.port, '/echo', fx.auth());
    await sdk.opened;
    expect(sdk.ws.extensions).toContain('permessage-deflate');
    sdk.ws.close();
    await sdk.closed;
  });

  it('stops listening on close()', async () => {
    await fx.gateway.close(fx.id);
    expect(fx.gateway.port(fx.id)).toBeUndefined();
    await expect(fetch(`${fx.base}/health`, { headers: fx.auth() })).rejects.toThrow();
    await fx.gateway.open(fx.id, fx.port);
    expect(fx.gateway.port(fx.id)).toBe(fx.port);
  });
});
