// Sandbox lifecycle on the real runtime: boot, pause/resume (freezer), stop/start on kept files,
// re-attach from a new Runtime instance, destroy; and the explicit isolation 'none' mode.
import { existsSync, lstatSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalRuntime } from './local-runtime.ts';
import { answers, makeRuntime, py, sh, spec, tempDataDir } from './testing/helpers.ts';

const dataDir = tempDataDir();
let rt: LocalRuntime;
const ID = `sandbox_life${process.pid}`;
let pid = 0;
let socket = '';

beforeAll(async () => {
  rt = await makeRuntime(dataDir);
  const started = await rt.start(spec(ID, { warmPython: true, env: { GREETING: 'hello' } }));
  pid = started.pid;
  socket = started.socketPath;
});
afterAll(async () => {
  await rt?.destroy(ID);
  rmSync(dataDir, { recursive: true, force: true });
});

describe('sandbox lifecycle (bwrap)', () => {
  it('resolves start only once the agent answers, with the spec env in place', async () => {
    expect(await answers(socket)).toBe(true);
    expect(rt.bootTimes.get(ID)).toBeGreaterThan(0);
    expect(socket).toBe(rt.socketPath(ID));
    expect((await sh(socket, 'echo $GREETING; pwd')).stdout).toBe('hello\n/workspace\n');
    expect(await rt.observe(ID, pid)).toBe('running');
  });

  it('pause freezes the sandbox (agent unreachable) and resume keeps a Python variable', async () => {
    expect((await py(socket, 'kept = 6 * 7')).success).toBe(true);
    await rt.pause(ID);
    expect(await rt.observe(ID, pid)).toBe('paused');
    expect(await answers(socket, 500)).toBe(false);
    await rt.resume(ID);
    expect(await rt.observe(ID, pid)).toBe('running');
    expect((await py(socket, 'print(kept)')).stdout).toBe('42\n');
  });

  it('stop keeps /workspace and start boots again on the same files', async () => {
    await sh(socket, 'echo persisted > /workspace/keep.txt; echo gone > /tmp/scratch.txt');
    // The sandbox swaps its socket for a symlink to a host path: the engine's link is unaffected.
    await sh(socket, 'rm -f /run/hopdeck/agent.sock; ln -s /run/some-host.sock /run/hopdeck/agent.sock');
    expect(await rt.observe(ID, pid)).toBe('running');
    await rt.stop(ID);
    expect(await rt.observe(ID, pid)).toBe('stopped');
    expect(existsSync(rt.socketPath(ID))).toBe(false);
    const again = await rt.start(spec(ID));
    pid = again.pid;
    expect((await sh(socket, 'cat /workspace/keep.txt')).stdout).toBe('persisted\n');
    expect(lstatSync(socket).isSocket()).toBe(true);
    expect((await sh(socket, 'test -e /tmp/scratch.txt && echo kept || echo fresh')).stdout).toBe('fresh\n');
  });

  it('caps the disk at the spec size', async () => {
    const res = await sh(
      socket,
      'head -c 200M /dev/zero > /workspace/big.bin; echo rc=$?; rm -f /workspace/big.bin',
    );
    expect(res.stdout).toContain('rc=1');
    expect(res.stderr).toMatch(/No space left/);
  });

  it('survives a new Runtime instance, which re-attaches and can stop it', async () => {
    const second = await makeRuntime(dataDir);
    expect(await second.observe(ID, pid)).toBe('running');
    expect(await second.observe(ID, null)).toBe('running');
    expect(await second.observe('sandbox_never', null)).toBe('missing');
    // A paused sandbox can be stopped too: the kill reaches frozen processes.
    await second.pause(ID);
    expect(await second.observe(ID, pid)).toBe('paused');
    await second.stop(ID);
    expect(await rt.observe(ID, pid)).toBe('stopped');
    await second.close();
  });

  it('destroy removes the folder and the cgroups, idempotently', async () => {
    const again = await rt.start(spec(ID));
    await rt.destroy(ID);
    expect(existsSync(join(dataDir, 'sandboxes', ID))).toBe(false);
    expect(await rt.observe(ID, again.pid)).toBe('missing');
    if (rt.cgroups === 'v1') expect(existsSync(`/sys/fs/cgroup/pids/hopdeck/${ID}`)).toBe(false);
    await expect(rt.destroy(ID)).resolves.toBeUndefined();
  });
});

describe('isolation none (explicit)', () => {
  it('serves the same agent API with plain processes and the same lifecycle', async () => {
    const dir = tempDataDir();
    const plain = await makeRuntime(dir, 'none');
    const id = `sandbox_plain${process.pid}`;
    try {
      expect(plain.isolation).toBe('none');
      const s = await plain.start(spec(id));
      // Code sees host paths here (no isolation); its working dir is the sandbox's workspace.
      await sh(s.socketPath, 'echo x > f.txt');
      expect(existsSync(join(dir, 'sandboxes', id, 'fs', 'workspace', 'f.txt'))).toBe(true);
      await plain.stop(id);
      expect(await plain.observe(id, s.pid)).toBe('stopped');
      await plain.destroy(id);
      expect(await plain.observe(id, null)).toBe('missing');
    } finally {
      await plain.destroy(id);
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
