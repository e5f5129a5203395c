// What a bwrap sandbox can and cannot see or do, checked from inside through its own agent.
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalRuntime } from './local-runtime.ts';
import { httpOverSocket } from '../agent/testing/harness.ts';
import { makeRuntime, sh, spec, tempDataDir } from './testing/helpers.ts';

const dataDir = tempDataDir();
let rt: LocalRuntime;
let sockA = '';
let sockB = '';
const A = `sandbox_isoa${process.pid}`;
const B = `sandbox_isob${process.pid}`;

beforeAll(async () => {
  rt = await makeRuntime(dataDir);
  [sockA, sockB] = (
    await Promise.all([
      rt.start(spec(A)),
      rt.start(spec(B, { resources: { vcpu: 2, memory_mb: 512, disk_mb: 128 } })),
    ])
  ).map((s) => s.socketPath) as [string, string];
});
afterAll(async () => {
  await Promise.allSettled([rt?.destroy(A), rt?.destroy(B)]);
  rmSync(dataDir, { recursive: true, force: true });
});

describe('bwrap sandbox isolation', () => {
  it('runs each sandbox as its own unprivileged uid with no capabilities', async () => {
    const a = await sh(sockA, 'id -u; grep CapEff /proc/self/status; grep NoNewPrivs /proc/self/status');
    const b = await sh(sockB, 'id -u');
    const [uidA] = a.stdout.split('\n');
    expect(Number(uidA)).toBeGreaterThanOrEqual(100_000);
    expect(Number(b.stdout.trim())).toBeGreaterThanOrEqual(100_000);
    expect(b.stdout.trim()).not.toBe(uidA);
    expect(a.stdout).toMatch(/CapEff:\s+0+\n/);
    expect(a.stdout).toMatch(/NoNewPrivs:\s+1/);
  });

  it('cannot read host secrets, /root or other homes', async () => {
    expect(readFileSync('/etc/shadow', 'utf8')).toContain('root:');
    const shadow = await sh(sockA, 'cat /etc/shadow');
    expect(shadow.stdout).not.toContain('root:');
    const marker = `/root/hopdeck-marker-${process.pid}`;
    writeFileSync(marker, 'host secret');
    try {
      const root = await sh(sockA, `cat ${marker}`);
      expect(root.exit_code).not.toBe(0);
      expect(root.stdout).not.toContain('host secret');
    } finally {
      rmSync(marker, { force: true });
    }
    const homes = await sh(sockA, 'ls -A /home');
    expect(homes.stdout.trim()).toBe('user');
  });

  it('cannot see the data dir or another sandbox, whose files stay its own', async () => {
    await sh(sockB, 'echo b-private > /workspace/b-secret.txt');
    const dataDirSeen = await sh(sockA, `test -e ${dataDir} && echo visible || echo hidden`);
    expect(dataDirSeen.stdout.trim()).toBe('hidden');
    const found = await sh(
      sockA,
      'find / \\( -path /proc -o -path /sys -o -path /usr -o -path /dev \\) -prune -o -name b-secret.txt -print 2>/dev/null',
    );
    expect(found.stdout.trim()).toBe('');
    expect((await sh(sockB, 'cat /workspace/b-secret.txt')).stdout).toBe('b-private\n');
  });

  it('has its own pid namespace, hostname and no network', async () => {
    const procs = await sh(
      sockA,
      'cat /proc/[0-9]*/cmdline 2>/dev/null | tr "\\0" " "; echo; ls /proc | grep -c "^[0-9]"',
    );
    expect(procs.stdout).not.toContain('vitest');
    expect(Number(procs.stdout.trim().split('\n').at(-1))).toBeLessThan(20);
    expect((await sh(sockA, 'hostname')).stdout.trim()).toBe('sandbox');
    // Its own devpts, so /terminal gets a PTY.
    expect((await sh(sockA, '/usr/bin/python3 -c "import os; print(len(os.openpty()))"')).stdout).toBe('2\n');
    const net = await sh(
      sockA,
      `/usr/bin/python3 -c "import socket; socket.create_connection(('1.1.1.1', 53), timeout=2)"`,
    );
    expect(net.exit_code).not.toBe(0);
  });

  it('reports its own limits and processes in /system, /metrics/snapshot and /processes', async () => {
    const sys = (await httpOverSocket(sockA, 'GET', '/system')).json<{
      hardware: { cpu_cores: number; memory_mb: number; disk_mb: number };
      memory: { total: number; used: number };
    }>();
    expect(sys.hardware.cpu_cores).toBe(1);
    expect(sys.hardware.memory_mb).toBe(256);
    expect(sys.hardware.disk_mb).toBeGreaterThan(90);
    expect(sys.hardware.disk_mb).toBeLessThanOrEqual(128);
    expect(sys.memory.used).toBeGreaterThan(0);
    expect(sys.memory.used).toBeLessThan(sys.memory.total);
    const metrics = (await httpOverSocket(sockA, 'GET', '/metrics/snapshot')).json<{
      system: { memory: { total: number } };
    }>();
    expect(metrics.system.memory.total).toBe(256 * 1024 * 1024);
    const procs = (await httpOverSocket(sockA, 'GET', '/processes')).json<{
      processes: { command: string }[];
    }>();
    expect(procs.processes.some((p) => p.command.includes('/opt/hopdeck/agent.mjs'))).toBe(true);
    expect(procs.processes.length).toBeLessThan(15);
  });

  it('blocks user namespaces and mount through seccomp', async () => {
    const userns = await sh(sockA, 'unshare -U true');
    expect(userns.exit_code).not.toBe(0);
    const mount = await sh(sockA, 'mount -t tmpfs none /tmp');
    expect(mount.exit_code).not.toBe(0);
  });

  it('applies the memory and pids limits from the spec', async () => {
    expect(rt.cgroups).not.toBe('none');
    if (rt.cgroups === 'v1') {
      expect(readFileSync(`/sys/fs/cgroup/memory/hopdeck/${A}/memory.limit_in_bytes`, 'utf8').trim()).toBe(
        String(256 * 1024 * 1024),
      );
      expect(readFileSync(`/sys/fs/cgroup/memory/hopdeck/${B}/memory.limit_in_bytes`, 'utf8').trim()).toBe(
        String(512 * 1024 * 1024),
      );
      // All sandboxes together weigh like one host process per core, not like a single one.
      expect(readFileSync('/sys/fs/cgroup/cpu/hopdeck/cpu.shares', 'utf8').trim()).toBe(
        String(1024 * availableParallelism()),
      );
    }
    const hog = await sh(
      sockA,
      '/usr/bin/python3 -c "b = bytearray(700 * 1024 * 1024); b[::4096] = b\\"x\\" * len(b[::4096]); print(len(b))"',
    );
    expect(hog.exit_code).not.toBe(0);
    expect(hog.stdout).not.toContain(String(700 * 1024 * 1024));
    const forks = await sh(
      sockA,
      `/usr/bin/python3 -c "
import os, time
n = 0
try:
    while n < 2000:
        if os.fork() == 0:
            time.sleep(2); os._exit(0)
        n += 1
    print('unbounded', n)
except OSError:
    print('blocked', n)
"`,
    );
    expect(forks.stdout).toMatch(/^blocked \d+/);
    expect(Number(forks.stdout.split(' ')[1])).toBeLessThan(300);
    // The sandbox survives both and still answers.
    expect((await sh(sockA, 'echo alive')).stdout).toBe('alive\n');
  });
});
