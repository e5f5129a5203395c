// Hostile sandboxes against the runtime (issue 12): disk caps on every writable path, no host
// paths inside, `whoami` = user, uids unique across engines on one host. Each case checks that
// the host's free disk is untouched and that a neighbour sandbox still runs code.
import { readFileSync, rmSync, statfsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalRuntime } from '../runtime/local-runtime.ts';
import { UidRegistry } from '../runtime/uids.ts';
import { makeRuntime, sh, spec, tempDataDir } from '../runtime/testing/helpers.ts';

const MB = 1024 * 1024;
const dataDir = tempDataDir();
let rt: LocalRuntime;
const A = `sandbox_hra${process.pid}`;
const N = `sandbox_hrn${process.pid}`;
let sockA = '';
let sockN = '';
const hostFree = () => {
  const s = statfsSync(dataDir);
  return s.bavail * s.bsize;
};

beforeAll(async () => {
  rt = await makeRuntime(dataDir);
  [sockA, sockN] = (
    await Promise.all([
      rt.start(spec(A, { resources: { vcpu: 1, memory_mb: 512, disk_mb: 128 } })),
      rt.start(spec(N)),
    ])
  ).map((s) => s.socketPath) as [string, string];
});
afterAll(async () => {
  await Promise.allSettled([rt?.destroy(A), rt?.destroy(N)]);
  rmSync(dataDir, { recursive: true, force: true });
});

describe('hostile sandbox vs. the runtime', { timeout: 300_000 }, () => {
  it('cannot write past a cap anywhere: every writable path is its disk image or a sized tmpfs', async () => {
    const before = hostFree();
    // Every mount point the sandbox user can write to, with its filesystem.
    const mounts = await sh(
      sockA,
      `awk '{print $5, $(NF-2), $(NF-1), $NF}' /proc/self/mountinfo | while read m t s o; do
         [ -w "$m" ] && [ -d "$m" ] && echo "$m $t $s $o"; done`,
    );
    const writable = mounts.stdout.trim().split('\n');
    const paths = writable.map((l) => l.split(' ')[0]);
    expect(paths.sort()).toEqual(['/dev/shm', '/home/user', '/run/hopdeck', '/tmp', '/workspace']);
    for (const line of writable) {
      const [path, type, source, opts] = line.split(' ') as [string, string, string, string];
      if (type === 'tmpfs') expect(opts, path).toMatch(/size=\d+k/);
      else expect(source, path).toMatch(/^\/dev\/loop/);
    }
    // Try to write 400 MB into each: it stops at the cap (128 MB disk; /tmp 256 MB, /dev/shm 128 MB).
    for (const path of paths) {
      const dd = await sh(sockA, `dd if=/dev/zero of=${path}/fill bs=1M count=400 2>&1; echo "exit=$?"`, 120);
      expect(dd.stdout, path).not.toMatch(/exit=0/);
      expect(dd.stdout, path).toMatch(/No space left/);
      const size = await sh(sockA, `stat -c %s ${path}/fill; rm -f ${path}/fill`);
      expect(Number(size.stdout.trim()), path).toBeLessThanOrEqual(256 * MB);
    }
    // The host lost at most the disk image's cap (plus slack for other work on this machine).
    expect(before - hostFree()).toBeLessThan(128 * MB + 100 * MB);
    expect((await sh(sockN, 'echo neighbour ok')).stdout).toBe('neighbour ok\n');
  });

  it('shows no host path of the data directory in /proc (cmdline, environ, mountinfo)', async () => {
    const seen = await sh(
      sockA,
      'for p in /proc/[0-9]*; do cat $p/cmdline $p/environ 2>/dev/null | tr "\\0" "\\n"; done; cat /proc/self/mountinfo /proc/1/mountinfo 2>/dev/null',
    );
    expect(seen.stdout).toContain('bwrap');
    expect(seen.stdout).toContain('/run/hopdeck');
    expect(seen.stdout).not.toContain(dataDir);
    expect(seen.stdout).not.toContain('sandboxes/');
  });

  it('runs as `user` with home /home/user, and sees no host accounts', async () => {
    const who = await sh(sockA, 'whoami; id -un; id -gn; echo ~; touch /workspace/f; ls -l /workspace/f');
    const [whoami, idName, group, home, ls] = who.stdout.trim().split('\n');
    expect([whoami, idName, group, home]).toEqual(['user', 'user', 'user', '/home/user']);
    expect(ls).toMatch(/ user user /);
    const passwd = await sh(
      sockA,
      'cut -d: -f1 /etc/passwd; cat /etc/passwd- /etc/group- 2>/dev/null | wc -c',
    );
    expect(passwd.stdout.trim().split('\n')).toEqual(['root', 'user', 'nobody', '0']);
  });

  it('gives sandboxes of two engines on one host different uids', async () => {
    const otherDir = tempDataDir();
    const other = await makeRuntime(otherDir);
    const B = `sandbox_hrb${process.pid}`;
    try {
      const [b] = await Promise.all([other.start(spec(B))]);
      const uidA = Number((await sh(sockA, 'id -u')).stdout);
      const uidN = Number((await sh(sockN, 'id -u')).stdout);
      const uidB = Number((await sh(b!.socketPath, 'id -u')).stdout);
      expect(new Set([uidA, uidN, uidB]).size).toBe(3);
      // The host-wide registry names the owner of each uid.
      const registry = new UidRegistry();
      expect(readFileSync(`${registry.dir}/${uidB}`, 'utf8')).toContain(otherDir);
      expect(readFileSync(`${registry.dir}/${uidA}`, 'utf8')).toContain(dataDir);
      await other.destroy(B);
      expect(() => readFileSync(`${registry.dir}/${uidB}`, 'utf8')).toThrow();
      expect((await sh(sockN, 'echo neighbour ok')).stdout).toBe('neighbour ok\n');
    } finally {
      await other.destroy(B).catch(() => undefined);
      rmSync(otherDir, { recursive: true, force: true });
    }
  });
});
