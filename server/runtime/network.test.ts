// Networking of bwrap sandboxes: internet access means a private network namespace behind
// slirp4netns (no way to the host's loopback), no internet access means no route at all.
import { readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalRuntime } from './local-runtime.ts';
import { readState, writeState } from './sandbox-dir.ts';
import { AGENT_DIR, makeRuntime, sh, spec, tempDataDir } from './testing/helpers.ts';
import { addHostForward, connectFromSandbox, slirpProcesses, fetchOverTcp } from './testing/network.ts';

const dataDir = tempDataDir();
let rt: LocalRuntime;
let host: Server;
let hostPort = 0;
let accepted = 0;
const NET = `sandbox_net${process.pid}`;
const OFF = `sandbox_nonet${process.pid}`;

beforeAll(async () => {
  host = createServer((s) => {
    accepted += 1;
    s.end('host secret\n');
  });
  await new Promise<void>((r) => host.listen(0, '127.0.0.1', r));
  hostPort = (host.address() as { port: number }).port;
  rt = await makeRuntime(dataDir);
});
afterAll(async () => {
  await Promise.allSettled([rt?.destroy(NET), rt?.destroy(OFF)]);
  await new Promise((r) => host.close(r));
  rmSync(dataDir, { recursive: true, force: true });
});

/** Interfaces and routes as the sandbox sees them (from /proc: no dependency on iproute2). */
async function netView(socket: string) {
  const r = await sh(
    socket,
    'cat /proc/net/dev; echo ---; cat /proc/net/route; echo ---; cat /etc/resolv.conf',
  );
  const [dev = '', route = '', resolv = ''] = r.stdout.split('---\n');
  const ifaces = [...dev.matchAll(/^\s*([\w.-]+):/gm)].map((m) => m[1]);
  const routes = route
    .trim()
    .split('\n')
    .slice(1)
    .map((l) => l.split(/\s+/))
    .map(([iface, dest, gw]) => ({ iface, dest, gw }));
  return { ifaces, routes, resolv };
}

/** Proof that traffic really flows through the sandbox's slirp4netns: a forwarded host port reaches a server inside. */
async function datapathWorks(id: string, socket: string): Promise<string> {
  await sh(socket, 'echo via-slirp > /workspace/probe.txt');
  await sh(socket, 'setsid -f /usr/bin/python3 -m http.server 8000 -d /workspace >/dev/null 2>&1');
  const fwdPort = await addHostForward(join(rt.dir(id), 'meta', 'slirp.sock'), 8000);
  return fetchOverTcp('127.0.0.1', fwdPort, '/probe.txt');
}

describe('sandbox networking (bwrap + slirp4netns)', () => {
  it('is private when slirp4netns is installed (this machine: see .ci/setup-machine.sh)', () => {
    expect(rt.network).toBe('slirp4netns');
  });

  it('with internet access: own tap0 with a default route, but no way to the host loopback', async () => {
    const { socketPath } = await rt.start(spec(NET, { internetAccess: true }));
    const view = await netView(socketPath);
    expect(view.ifaces).toContain('tap0');
    expect(view.ifaces).not.toContain('eth0');
    expect(view.routes).toContainEqual({ iface: 'tap0', dest: '00000000', gw: '0202000A' }); // via 10.0.2.2
    expect(view.resolv).toContain('nameserver 10.0.2.3');

    const direct = await connectFromSandbox(socketPath, '127.0.0.1', hostPort);
    const viaGateway = await connectFromSandbox(socketPath, '10.0.2.2', hostPort);
    expect(direct).toMatch(/^failed/);
    expect(viaGateway).toMatch(/^failed/);
    expect(accepted).toBe(0);
    expect(await datapathWorks(NET, socketPath)).toBe('via-slirp\n');
  });

  it('without internet access: no interface but lo, no route at all', async () => {
    const { socketPath } = await rt.start(spec(OFF, { internetAccess: false }));
    const view = await netView(socketPath);
    expect(view.ifaces).toEqual(['lo']);
    expect(view.routes).toEqual([]);
    expect(await connectFromSandbox(socketPath, '10.0.2.2', hostPort)).toMatch(/unreachable/i);
    expect(readState(rt.dir(OFF))?.slirpPid).toBeUndefined();
    expect(accepted).toBe(0);
  });

  it('stop ends slirp4netns, start brings the network back', async () => {
    const before = readState(rt.dir(NET))?.slirpPid;
    expect(slirpProcesses(rt.dir(NET))).toEqual([before]);
    await rt.stop(NET);
    expect(slirpProcesses(rt.dir(NET))).toEqual([]);
    const { socketPath } = await rt.start(spec(NET, { internetAccess: true }));
    const after = readState(rt.dir(NET))?.slirpPid;
    expect(after).not.toBe(before);
    expect(slirpProcesses(rt.dir(NET))).toEqual([after]);
    expect((await netView(socketPath)).ifaces).toContain('tap0');
    expect(await datapathWorks(NET, socketPath)).toBe('via-slirp\n');
    expect(await connectFromSandbox(socketPath, '10.0.2.2', hostPort)).toMatch(/^failed/);
  });

  it('slirp4netns outlives the engine; a new runtime keeps it, and re-attaches one that died', async () => {
    const second = await makeRuntime(dataDir);
    const pid = readState(rt.dir(NET))?.slirpPid as number;
    expect(await second.observe(NET, null)).toBe('running');
    expect(readState(rt.dir(NET))?.slirpPid).toBe(pid);
    process.kill(pid, 'SIGKILL');
    await expect.poll(() => slirpProcesses(rt.dir(NET))).toEqual([]);
    // Two looks at once (e.g. reconcile and a request) start one slirp4netns, not two.
    expect(await Promise.all([second.observe(NET, null), second.observe(NET, null)])).toEqual([
      'running',
      'running',
    ]);
    const again = readState(rt.dir(NET))?.slirpPid;
    expect(slirpProcesses(rt.dir(NET))).toEqual([again]);
    expect(await datapathWorks(NET, rt.socketPath(NET))).toBe('via-slirp\n');
    await second.close();
  });

  it('destroy leaves no slirp4netns process behind, even one missing from state.json', async () => {
    const dir = rt.dir(NET);
    expect(slirpProcesses(dir)).toHaveLength(1);
    // As if the engine had crashed between starting slirp4netns and recording it.
    const st = readState(dir);
    writeState(dir, { uid: st?.uid as number, pid: st?.pid ?? null });
    await rt.destroy(NET);
    expect(slirpProcesses(dir)).toEqual([]);
  });
});

describe('fallback without slirp4netns', () => {
  it('shares the host network namespace, as the engine reports', async () => {
    const dir = tempDataDir();
    const base = await makeRuntime(dir);
    const fallback = new LocalRuntime(
      { dataDir: dir, isolation: 'bwrap', agentDir: AGENT_DIR },
      base.cgroups,
      null,
      'host',
    );
    const id = `sandbox_hostnet${process.pid}`;
    try {
      expect(fallback.network).toBe('host');
      const { socketPath } = await fallback.start(spec(id, { internetAccess: true }));
      const view = await netView(socketPath);
      expect(view.ifaces).not.toContain('tap0');
      expect(readFileSync('/proc/net/dev', 'utf8')).toContain(`${view.ifaces.find((i) => i !== 'lo')}:`);
      expect(await connectFromSandbox(socketPath, '127.0.0.1', hostPort)).toBe('connected host secret');
    } finally {
      await fallback.destroy(id);
      rmSync(dir, { recursive: true, force: true });
      accepted = 0;
    }
  });
});
