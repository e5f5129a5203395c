// Hostile suite (issue 12): disk fill (/workspace, with the file API too), inode fill, /tmp and
// /dev/shm fill, and traversal and symlinks on the file API (`../`, absolute links to host paths,
// links swapped between check and use). Each case: the cap holds with a clear error, the host is
// untouched and the neighbour runs code.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, expectHostUntouched, report, setStage, sh, type Stage } from './hostile-agent-helpers.ts';

let stage: Stage;
beforeAll(async () => {
  stage = await setStage({ disk_gb: 1, memory_mb: 512 });
});
afterAll(async () => {
  await stage?.e.dispose();
});

const write = (path: string, content: string) => call(stage.s, 'POST', '/files/write', { path, content });
const read = (path: string) => call(stage.s, 'GET', `/files/read?path=${encodeURIComponent(path)}`);

/** The sandbox's memory cgroup usage (v1 or v2), seen from the host. */
function memoryUsage(id: string): number {
  for (const f of [
    `/sys/fs/cgroup/memory/hopdeck/${id}/memory.usage_in_bytes`,
    `/sys/fs/cgroup/hopdeck/${id}/memory.current`,
  ]) {
    try {
      return Number(readFileSync(f, 'utf8'));
    } catch {
      /* the other hierarchy */
    }
  }
  return NaN;
}

describe('hostile suite: files', { timeout: 180_000 }, () => {
  it('disk fill of /workspace stops at the disk cap; the file API answers 507; freeing space works', async () => {
    // Reserve all but 8 MB at once (fallocate: no data written), then write zeroes past the rest.
    const out = await sh(
      stage.s,
      `avail=$(df --output=avail -B1 /workspace | tail -1); fallocate -l $((avail - 8*1024*1024)) /workspace/big
       dd if=/dev/zero of=/workspace/fill bs=1M count=64 2>&1; echo "dd=$?"
       dd if=/dev/zero of=/home/user/more bs=1M count=8 2>&1; echo "home=$?"`,
      60,
    );
    expect(out).toMatch(/No space left/);
    expect(out).toMatch(/dd=1/);
    expect(out).toMatch(/home=1/); // /home/user shares the disk image
    const w = await write('/workspace/api.txt', 'y'.repeat(1024 * 1024));
    expect(w.status, w.text).toBe(507);
    expect(w.body).toMatchObject({
      code: 'FILE_OPERATION_FAILED',
      message: expect.stringMatching(/No space/),
    });
    await sh(stage.s, 'rm -f /workspace/big /workspace/fill /home/user/more');
    expect((await write('/workspace/api.txt', 'after')).status).toBe(200);
    await expectHostUntouched(stage, 'disk fill /workspace (1 GB cap, fallocate + dd, file API)');
  });

  it('inode fill of /workspace ends with ENOSPC; /tmp inodes are charged to the sandbox memory', async () => {
    const fill = (dir: string, max: number) =>
      call(
        stage.s,
        'POST',
        '/execute',
        {
          language: 'python',
          timeout: 90,
          code:
            `import os\nos.makedirs("${dir}", exist_ok=True)\nn = 0\nerr = "none"\n` +
            `try:\n    while n < ${max}:\n        open(f"${dir}/{n}", "w").close()\n        n += 1\n` +
            `except OSError as e:\n    err = e.strerror\nprint(n, err)`,
        },
        120_000,
      );
    const ws = await fill('/workspace/inodes', 1_000_000);
    expect(String(ws.body.stdout), ws.text).toMatch(/^\d+ No space left on device\n$/);
    const w = await write('/workspace/one-more.txt', 'x');
    expect(w.status, w.text).toBe(507);
    const mem0 = memoryUsage(stage.s.id);
    const tmp = await fill('/tmp/inodes', 100_000);
    const mem1 = memoryUsage(stage.s.id);
    report('inode fill', {
      workspaceFiles: String(ws.body.stdout).trim(),
      tmpFiles: String(tmp.body.stdout).trim(),
      tmpMemoryChargedMb: Math.round((mem1 - mem0) / 1024 / 1024),
    });
    // 100,000 empty files cost kernel memory (inodes, dentries): it is counted in the sandbox's
    // memory cgroup, so its memory limit bounds an inode fill of a tmpfs.
    expect(mem1 - mem0).toBeGreaterThan(10 * 1024 * 1024);
    await sh(stage.s, 'rm -rf /workspace/inodes /tmp/inodes', 120);
    expect((await write('/workspace/one-more.txt', 'x')).status).toBe(200);
    await expectHostUntouched(stage, 'inode fill (/workspace to ENOSPC, /tmp 100,000 files)');
  });

  it('/tmp and /dev/shm fills stop at their tmpfs size, the file API answers 507', async () => {
    for (const dir of ['/tmp', '/dev/shm']) {
      const out = await sh(stage.s, `dd if=/dev/zero of=${dir}/fill bs=1M count=1024 2>&1; echo "dd=$?"`, 60);
      expect(out, dir).toMatch(/No space left/);
      if (dir === '/tmp') expect((await write('/tmp/api.txt', 'z'.repeat(65536))).status).toBe(507);
      await sh(stage.s, `rm -f ${dir}/fill /tmp/api.txt`);
    }
    expect((await write('/tmp/api.txt', 'ok')).status).toBe(200);
    await expectHostUntouched(stage, '/tmp (256 MB) and /dev/shm fill');
  });

  it('traversal and absolute links to host paths reach nothing of the host', async () => {
    const db = `${stage.e.dataDir}/hopdeck.db`;
    const up = '/workspace/../../..';
    await sh(
      stage.s,
      `ln -sfn ${db} /workspace/db; ln -sfn /etc/shadow /workspace/shadow; ln -sfn / /workspace/root`,
    );
    for (const path of [`${up}${db}`, '/workspace/db', '/workspace/root' + db]) {
      const r = await read(path);
      expect(r.status, `${path}: ${r.text}`).toBe(404);
    }
    // The sandbox's own /etc/shadow (not the host's) is not readable by its user.
    const shadow = await read('/workspace/shadow');
    expect(shadow.status, shadow.text).toBe(403);
    for (const path of [`${up}/etc/passwd`, '/workspace/root/usr/bin/evil']) {
      const w = await write(path, 'owned');
      expect(w.status, `${path}: ${w.text}`).toBe(403);
    }
    // The data dir's path inside the sandbox is its own /tmp (a tmpfs): the write lands there.
    expect((await write(`${up}${db}`, 'owned')).status).toBe(200);
    expect(readFileSync(db).subarray(0, 15).toString()).toBe('SQLite format 3');
    expect(readFileSync('/etc/passwd', 'utf8')).not.toContain('owned');
    await expectHostUntouched(stage, 'traversal and absolute links');
  });

  it('links swapped between check and use: every answer is the file or a refusal', async () => {
    await sh(stage.s, 'echo plain > /workspace/plain.txt; ln -sfn /workspace/plain.txt /workspace/swap');
    // Swap the link (atomically) as fast as Python can for 15 s: /proc, the file, a device, a FIFO.
    const swapper = call(
      stage.s,
      'POST',
      '/commands/run',
      {
        command: `mkfifo /workspace/fifo; python3 -c '
import os, time
ts = ["/proc/self/environ", "/workspace/plain.txt", "/dev/zero", "/workspace/fifo"]
end, i = time.time() + 15, 0
while time.time() < end:
    os.symlink(ts[i % 4], "/workspace/swap.new"); os.replace("/workspace/swap.new", "/workspace/swap"); i += 1
print(i)'`,
        timeout: 30,
      },
      60_000,
    );
    const seen: Record<string, number> = {};
    const deadline = Date.now() + 12_000;
    while (Date.now() < deadline) {
      const [r, w] = await Promise.all([read('/workspace/swap'), write('/workspace/swap', 'plain\n')]);
      for (const x of [r, w]) seen[x.status] = (seen[x.status] ?? 0) + 1;
      if (r.status === 200) expect(r.body.content).toBe('plain\n');
      expect([200, 400, 403], r.text).toContain(r.status);
      expect([200, 400, 403], w.text).toContain(w.status);
    }
    const swaps = await swapper;
    expect(swaps.body.exit_code, swaps.text).toBe(0);
    report('links swapped between check and use', { swaps: Number(swaps.body.stdout), answers: seen });
    expect(Object.keys(seen).length).toBeGreaterThan(1); // the swaps were seen
    // Nothing was written through a swapped link: the file is intact, /dev/zero and /proc untouched.
    expect(await sh(stage.s, 'cat /workspace/plain.txt; rm -f /workspace/fifo /workspace/swap')).toBe(
      'plain\n',
    );
    const info = await call(stage.s, 'GET', '/info');
    expect(info.body.start_time).toBe(stage.agentStart);
    await expectHostUntouched(stage, 'links swapped between check and use');
  });
});
