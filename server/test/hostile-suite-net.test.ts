// Hostile suite (issue 12): egress without internet (no route, no DNS, no host loopback), and
// token misuse on the agent ports (another sandbox's token, expired, forged, none) over HTTP and
// WebSocket. Each case: refused with the HopX envelope, the host untouched, the neighbour running.
import { randomBytes } from 'node:crypto';
import { SignJWT } from 'jose';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  call,
  createSandbox,
  expectHostUntouched,
  report,
  setStage,
  type Stage,
} from './hostile-agent-helpers.ts';

let stage: Stage;
beforeAll(async () => {
  stage = await setStage({ internet_access: false });
});
afterAll(async () => {
  await stage?.e.dispose();
});

/** Python in the sandbox trying every way out; prints one line per probe. */
const EGRESS = (enginePort: number, gatewayPort: number) => `
import socket
def probe(name, fn):
    try:
        fn(); print(name, "OPEN")
    except Exception as e:
        print(name, "blocked", type(e).__name__)
def tcp(host, port):
    s = socket.create_connection((host, port), timeout=3); s.close()
routes = [l.split()[1] for l in open("/proc/net/route").read().splitlines()[1:]]
print("default-route", "yes" if "00000000" in routes else "none")
probe("dns", lambda: socket.getaddrinfo("example.com", 443))
probe("ip", lambda: tcp("1.1.1.1", 443))
for host in ("127.0.0.1", "10.0.2.2", "10.0.2.3"):
    probe(f"engine@{host}", lambda: tcp(host, ${enginePort}))
    probe(f"gateway@{host}", lambda: tcp(host, ${gatewayPort}))
`;

describe('hostile suite: network and tokens', { timeout: 180_000 }, () => {
  it.each([false, true])(
    'egress (internet_access: %s): no host loopback; without internet no route, no DNS',
    async (internet) => {
      const s = internet ? await createSandbox(stage.e, { internet_access: true }) : stage.s;
      const enginePort = Number(new URL(stage.e.baseUrl!).port);
      const gatewayPort = Number(new URL(s.public_host).port);
      const r = await call(
        s,
        'POST',
        '/execute',
        { language: 'python', code: EGRESS(enginePort, gatewayPort) },
        60_000,
      );
      const out = String(r.body.stdout);
      report(`egress (internet_access: ${internet})`, { probes: out.trim().split('\n') });
      expect(r.body.success, r.text).toBe(true);
      // Nothing of the host: neither the engine nor any gateway port, on any address.
      expect(out).not.toMatch(/^(engine|gateway)@.* OPEN/m);
      expect(out).toMatch(/^dns blocked/m);
      // Without internet access: no network beyond its own loopback. (With it, the sandbox reaches
      // what the host reaches: this machine's outbound proxy accepts TCP to 1.1.1.1.)
      if (!internet) expect(out).toMatch(/^default-route none$[^]*^ip blocked/m);
      if (internet)
        await stage.e.app.inject({ method: 'DELETE', url: `/v1/sandboxes/${s.id}`, headers: stage.e.auth });
      await expectHostUntouched(stage, `egress (internet_access: ${internet})`);
    },
  );

  it('refuses another sandbox’s token, an expired, a forged and no token, over HTTP and WebSocket', async () => {
    const { e, s, n } = stage;
    const expired = await e.app.engine.tokens.issue(s.id, new Date(Date.now() - 48 * 3600 * 1000));
    const forged = await new SignJWT({ sbx: s.id })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setIssuer('hopdeck')
      .setAudience('hopdeck-agent')
      .setSubject(s.id)
      .setIssuedAt()
      .setExpirationTime('1h')
      .sign(randomBytes(32));
    const unsigned = `${forged.split('.').slice(0, 2).join('.')}.`;
    const cases: [string, string | null, string][] = [
      ['another sandbox’s token', n.auth_token!, 'TOKEN_INVALID'],
      ['an expired token', expired.token, 'TOKEN_EXPIRED'],
      ['a token signed with another key', forged, 'TOKEN_INVALID'],
      ['an unsigned token', unsigned, 'TOKEN_INVALID'],
      ['no token', null, ''],
    ];
    const wsUrl = `${s.public_host.replace('http', 'ws')}/execute/stream`;
    const wsStatus = (headers: Record<string, string>, query = '') =>
      new Promise<number>((resolve, reject) => {
        const ws = new WebSocket(`${wsUrl}${query}`, { headers });
        ws.on('unexpected-response', (_req, res) => {
          resolve(res.statusCode ?? 0);
          ws.terminate();
        });
        ws.on('open', () => {
          resolve(101);
          ws.close();
        });
        ws.on('error', reject);
      });
    const seen: Record<string, string> = {};
    for (const [what, token, code] of cases) {
      const headers: Record<string, string> = token ? { authorization: `Bearer ${token}` } : {};
      const res = await fetch(`${s.public_host}/execute`, {
        method: 'POST',
        headers: { ...headers, 'content-type': 'application/json' },
        body: JSON.stringify({ language: 'bash', code: 'echo should-not-run' }),
      });
      const body = (await res.json()) as Record<string, unknown>;
      expect(res.status, what).toBe(401);
      expect(body, what).toMatchObject({ error: expect.any(String), message: expect.any(String) });
      expect(String(body.request_id), what).toMatch(/\S/);
      if (code) expect(body.code, what).toBe(code);
      expect(await wsStatus(headers), `${what} (WebSocket, header)`).toBe(401);
      if (token) expect(await wsStatus({}, `?token=${token}`), `${what} (WebSocket, ?token=)`).toBe(401);
      seen[what] = `${res.status} ${String(body.code)}`;
    }
    report('token misuse', seen);
    // The real token still works on both, and nothing ran.
    expect(await wsStatus({ authorization: `Bearer ${s.auth_token}` })).toBe(101);
    const hist = await call(s, 'POST', '/execute', { language: 'bash', code: 'echo ok' });
    expect(hist.body).toMatchObject({ success: true, stdout: 'ok\n' });
    await expectHostUntouched(stage, 'token misuse (HTTP and WebSocket)');
  });
});
