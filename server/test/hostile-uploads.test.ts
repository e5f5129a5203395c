// Hostile uploads through the gateway into a real bwrap sandbox (512 MiB memory, 3 GB disk): a
// 1 GiB upload streams to disk with the agent's memory flat (its RSS is sampled and printed); a body
// larger than the free disk, or the disk filling mid-stream, answers 507 and leaves no partial
// file; malformed bodies answer 400 and a stalled client 408. Each case: the host is untouched and
// the neighbour runs code.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { multipart, patternSha256, sendUpload, type Part } from '../agent/testing/multipart.ts';
import { startEngine } from './engine.ts';
import {
  call,
  createSandbox,
  expectHostUntouched,
  hostBaseline,
  neighbourMs,
  procsOfUid,
  report,
  sh,
  type Stage,
} from './hostile-agent-helpers.ts';

let stage: Stage;
beforeAll(async () => {
  const e = await startEngine();
  await e.listen();
  // The ubuntu template (512 MiB memory) with a 3 GB disk: room for a 1 GiB upload.
  e.store.db
    .prepare(
      "UPDATE templates SET body = json_set(body, '$.default_resources.disk_gb', 3) WHERE name = 'ubuntu'",
    )
    .run();
  const [s, n] = await Promise.all([createSandbox(e), createSandbox(e)]);
  expect(s.resources).toMatchObject({ memory_mb: 512 });
  const info = await call(s, 'GET', '/info');
  await Promise.all([neighbourMs(s), neighbourMs(n)]);
  stage = { e, s, n, agentStart: String(info.body.start_time), host: await hostBaseline({ e, s }) };
});
afterAll(async () => {
  await stage?.e.dispose();
});

const MiB = 1024 * 1024;
/**
 * The sandbox's disk is a sparse image on the host that grows as data is written into it, up to its
 * cap (3 GB here), and does not shrink when files are removed inside. Uploaded bytes are the
 * sandbox's own disk use: the host check is that they stay within that cap, not within 64 MB.
 */
const untouched = (label: string) => expectHostUntouched(stage, label, { diskSlackMb: 3 * 1024 + 64 });
const upload = (parts: Part[], opts?: Parameters<typeof sendUpload>[2]) =>
  sendUpload(
    {
      url: `${stage.s.public_host}/files/upload`,
      headers: { authorization: `Bearer ${stage.s.auth_token}` },
    },
    multipart(parts),
    opts,
  );
const file = (bytes: number): Part => ({ name: 'file', filename: 'data.bin', bytes });
const dest = (path: string): Part => ({ name: 'path', value: path });

/** The sandbox's agent process, seen from the host. */
function agentPid(): number {
  const pid = procsOfUid(stage.host.uid).find((p) => {
    try {
      return readFileSync(`/proc/${p}/cmdline`, 'utf8').includes('agent.mjs');
    } catch {
      return false;
    }
  });
  expect(pid, 'agent process').toBeDefined();
  return pid!;
}
const rssMiB = (pid: number) =>
  Math.round(Number(/^VmRSS:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? NaN) / 1024);

/** No partial or temporary file of an upload anywhere in /workspace. */
async function expectNoLeftovers(...paths: string[]): Promise<void> {
  const out = await sh(
    stage.s,
    `find /workspace -name '.upload-*' ; for p in ${paths.join(' ')}; do test -e $p && echo $p; done; true`,
  );
  expect(out.trim()).toBe('');
}

describe('hostile uploads', { timeout: 300_000 }, () => {
  it('streams a 1 GiB upload (twice the sandbox memory) to disk with the agent RSS flat', async () => {
    const pid = agentPid();
    const before = rssMiB(pid);
    let peak = before;
    const sampler = setInterval(() => (peak = Math.max(peak, rssMiB(pid))), 100);
    const bytes = 1024 * MiB;
    const t0 = performance.now();
    const res = await upload([file(bytes), dest('/workspace/big/1g.bin')]).finally(() =>
      clearInterval(sampler),
    );
    const seconds = Math.round((performance.now() - t0) / 100) / 10;
    expect(res.status, res.text).toBe(200);
    expect(res.body).toMatchObject({ success: true, path: '/workspace/big/1g.bin', size: bytes });
    const sum = await sh(stage.s, 'sha256sum /workspace/big/1g.bin', 120);
    expect(sum.split(' ')[0]).toBe(patternSha256(bytes));
    report('upload 1 GiB into a 512 MiB sandbox', {
      agentRssBeforeMiB: before,
      agentRssPeakMiB: peak,
      seconds,
    });
    // Flat: the agent never holds the body (its RSS grows far less than the 512 MiB memory).
    expect(peak - before).toBeLessThan(128);
    await sh(stage.s, 'rm -rf /workspace/big');
    await expectNoLeftovers();
    await untouched('upload 1 GiB into a 512 MiB sandbox');
  });

  it('a body larger than the free disk answers 507 (declared, chunked, or the disk filling mid-stream)', async () => {
    const declared = await upload([file(3 * 1024 * MiB), dest('/workspace/too-big.bin')]);
    expect(declared.status, declared.text).toBe(507);
    expect(declared.body).toMatchObject({
      code: 'FILE_OPERATION_FAILED',
      message: expect.stringMatching(/No space/),
    });
    // Leave 64 MiB free, then send 96 MiB without announcing its size.
    await sh(
      stage.s,
      `fallocate -l $(( $(df --output=avail -B1 /workspace | tail -1) - 64*1024*1024 )) /workspace/hog`,
    );
    const chunked = await upload([dest('/workspace/chunked.bin'), file(96 * MiB)], { chunked: true });
    expect(chunked.status, chunked.text).toBe(507);
    // 32 MiB in, another process fills the rest of the disk: the upload's next write fails ENOSPC.
    const midway = await upload([file(48 * MiB), dest('/workspace/midway.bin')], {
      pauseAt: {
        bytes: 32 * MiB,
        fn: () =>
          sh(stage.s, 'dd if=/dev/zero of=/workspace/hog2 bs=1M 2>/dev/null; true', 60).then(() => {}),
      },
    });
    expect(midway.status, midway.text).toBe(507);
    await sh(stage.s, 'rm -f /workspace/hog /workspace/hog2');
    await expectNoLeftovers('/workspace/too-big.bin', '/workspace/chunked.bin', '/workspace/midway.bin');
    const after = await upload([file(MiB), dest('/workspace/after.bin')]);
    expect(after.status, after.text).toBe(200);
    await untouched('upload over the free disk (declared, chunked, disk filled mid-stream)');
  });

  it('malformed bodies, a missing or second file, a huge part header or a pseudo-fs path: clear 4xx', async () => {
    const cases: [Part[], number, string][] = [
      [[dest('/workspace/x')], 400, 'MISSING_PARAMETER'],
      [[file(MiB), file(MiB), dest('/workspace/two')], 400, 'INVALID_REQUEST'],
      [[{ ...file(MiB), extraHeader: `X-Huge: ${'h'.repeat(64 * 1024)}` }], 400, 'INVALID_REQUEST'],
      [[file(MiB), dest('/workspace/../proc/self/environ')], 403, 'PATH_NOT_ALLOWED'],
    ];
    for (const [parts, status, code] of cases) {
      const res = await upload(parts);
      expect(res.status, res.text).toBe(status);
      expect(res.body).toMatchObject({ code, request_id: expect.any(String) });
    }
    const garbage = await fetch(`${stage.s.public_host}/files/upload`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${stage.s.auth_token}`,
        'content-type': 'multipart/form-data; boundary=b',
      },
      body: '--b\r\nnot a header\r\n\r\n'.repeat(1000),
    });
    expect(garbage.status).toBe(400);
    await expectNoLeftovers('/workspace/x', '/workspace/two');
    await untouched('malformed multipart, missing/second file, huge header');
  });

  it('a client that stops sending mid-body gets 408 and its temporary file is removed', async () => {
    const t0 = performance.now();
    const res = await upload([file(64 * MiB), dest('/workspace/stalled.bin')], { stallAfter: 8 * MiB });
    expect(res.status, res.text).toBe(408);
    expect(res.body).toMatchObject({ code: 'OPERATION_TIMEOUT' });
    report('stalled upload', { answeredAfterS: Math.round((performance.now() - t0) / 1000) });
    await expectNoLeftovers('/workspace/stalled.bin');
    await untouched('upload stalled mid-body (8 of 64 MiB sent)');
  });
});
