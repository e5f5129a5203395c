// Faults (issue 12): the data directory's disk full. The data dir is a small tmpfs (96 MB), filled
// to the last byte: creates and writes answer a clear envelope (507/503, never a crash or a hang),
// the engine stays up, the database passes `PRAGMA integrity_check`, and once space is freed
// everything works again.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, rmdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorEnvelope } from '../../contract/schemas.ts';
import { call, createSandbox, healthMs, hostFree, report, sh, timed } from './hostile-agent-helpers.ts';
import { startEngine, type TestEngine } from './engine.ts';

const mnt = mkdtempSync(join(tmpdir(), 'hopdeck-full-'));
const filler = join(mnt, 'filler');
let e: TestEngine | undefined;
beforeAll(() => {
  execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=96m', 'hopdeck-full', mnt]);
});
afterAll(async () => {
  rmSync(filler, { force: true });
  await e?.dispose().catch(() => undefined);
  execFileSync('umount', ['-l', mnt]);
  rmdirSync(mnt);
});

/** Fill the filesystem: one big reservation, then bytes until ENOSPC. */
function fill(): void {
  execFileSync('fallocate', ['-l', String(Math.max(hostFree(mnt) - 64 * 1024, 4096)), filler]);
  try {
    writeFileSync(`${filler}.tail`, Buffer.alloc(1024 * 1024));
  } catch {
    /* full */
  }
}

/** An answer within 60 s (a hang fails the test). */
const bounded = <T>(p: Promise<T>) =>
  Promise.race([
    p,
    new Promise<never>((_, rej) => setTimeout(() => rej(new Error('no answer in 60 s')), 60_000)),
  ]);

describe('faults: the data directory runs out of space', { timeout: 300_000 }, () => {
  it('answers creates and writes with a clear envelope, stays up, keeps the database sound, recovers', async () => {
    e = await startEngine({ dataDir: mnt });
    await e.listen();
    const s = await createSandbox(e, { disk_gb: 1 });
    fill();
    expect(hostFree(mnt)).toBeLessThan(128 * 1024);
    const figures: Record<string, string> = {};
    const inject = async (what: string, method: 'POST' | 'PUT', url: string, payload: object) => {
      const [res, ms] = await timed(() => bounded(e!.app.inject({ method, url, headers: e!.auth, payload })));
      figures[what] =
        `${res.statusCode} in ${ms} ms${res.statusCode >= 400 ? `: ${ErrorEnvelope.parse(JSON.parse(res.body)).message}` : ''}`;
      return res;
    };

    const created = await inject('create', 'POST', '/v1/sandboxes', { template_name: 'ubuntu', disk_gb: 1 });
    expect([503, 507], created.body).toContain(created.statusCode);
    expect(ErrorEnvelope.parse(JSON.parse(created.body)).message).toMatch(/space|full/i);
    const key = await inject('new API key', 'POST', '/v1/api-keys', { name: 'during-full' });
    expect([201, 507], key.body).toContain(key.statusCode);
    const timeout = await inject('set timeout', 'PUT', `/v1/sandboxes/${s.id}/timeout`, {
      timeout_seconds: 600,
    });
    expect([200, 507], timeout.body).toContain(timeout.statusCode);
    // Inside the sandbox: its disk image cannot grow on the full host filesystem.
    const [w, wMs] = await timed(() =>
      bounded(
        call(s, 'POST', '/files/write', { path: '/workspace/big.bin', content: 'x'.repeat(4 << 20) }, 60_000),
      ),
    );
    figures['sandbox file write (4 MB)'] = `${w.status} in ${wMs} ms: ${String(w.body.message ?? '')}`;
    expect(w.status, w.text).toBe(507);
    expect(w.body.message).toMatch(/No space/);
    // The write went to the guest's page cache; flushing it to the image is where it fails.
    const flush = await call(
      s,
      'POST',
      '/commands/run',
      { command: 'sync /workspace/big.bin 2>&1; echo "sync=$?"', timeout: 30 },
      60_000,
    );
    figures['sandbox sync'] = String(flush.body.stdout).trim().replace(/\n/g, ' | ');

    // The engine is up, its database sound, no sandbox record was left by the failed create.
    figures.health = `${await healthMs(e)} ms`;
    expect(e.store.db.pragma('integrity_check')).toEqual([{ integrity_check: 'ok' }]);
    const list = JSON.parse((await e.app.inject({ url: '/v1/sandboxes', headers: e.auth })).body) as {
      data: unknown[];
    };
    expect(list.data).toHaveLength(1);
    report('data dir disk full', figures);

    // Space freed: creates work again, and the first sandbox still runs code.
    rmSync(filler);
    rmSync(`${filler}.tail`, { force: true });
    const again = await createSandbox(e, { disk_gb: 1 });
    expect(await sh(again, 'echo fresh')).toBe('fresh\n');
    expect(await sh(s, 'echo survivor')).toBe('survivor\n');
    // Its filesystem saw write errors while the host was full (the kernel aborts an ext4 journal
    // on them and remounts it read-only); a stop and start brings /workspace back, files kept.
    const probe =
      'cat /workspace/big.bin | wc -c; { echo ok > /workspace/after.txt && cat /workspace/after.txt; } 2>&1';
    const before = await call(s, 'POST', '/commands/run', { command: probe, timeout: 30 }, 60_000);
    for (const action of ['stop', 'start']) {
      const r = await e.app.inject({
        method: 'POST',
        url: `/v1/sandboxes/${s.id}/${action}`,
        headers: e.auth,
      });
      expect(r.statusCode, r.body).toBe(200);
    }
    const restarted = await call(s, 'POST', '/commands/run', { command: probe, timeout: 30 }, 60_000);
    report('data dir disk full, the sandbox after space was freed', {
      before: String(before.body.stdout).trim().split('\n'),
      afterStopStart: String(restarted.body.stdout).trim().split('\n'),
    });
    expect(String(restarted.body.stdout)).toMatch(/\nok\n$/);
    expect(e.store.db.pragma('integrity_check')).toEqual([{ integrity_check: 'ok' }]);
  });
});
