// Hostile suite (issue 12): the Python kernel killed from inside (SIGKILL, sys.exit, a segfault),
// a memory bomb, and a pause in the middle of a busy loop. Each case: a clear result, the next run
// works, the host is untouched and the neighbour runs code.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  call,
  expectHostUntouched,
  healthMs,
  neighbourMs,
  procsOfUid,
  report,
  setStage,
  type Stage,
} from './hostile-agent-helpers.ts';

let stage: Stage;
beforeAll(async () => {
  stage = await setStage({ memory_mb: 512 });
});
afterAll(async () => {
  await stage?.e.dispose();
});

const py = (code: string, timeout = 30) =>
  call(stage.s, 'POST', '/execute', { language: 'python', code, timeout }, (timeout + 30) * 1000);

describe('hostile suite: the Python kernel', { timeout: 180_000 }, () => {
  it.each([
    ['kernel SIGKILL (os.kill(os.getpid(), 9))', 'import os\nos.kill(os.getpid(), 9)', 'KernelDied', false],
    ['kernel sys.exit(3)', 'import sys\nsys.exit(3)', 'SystemExit', true],
    ['kernel segfault (ctypes.string_at(0))', 'import ctypes\nctypes.string_at(0)', 'KernelDied', false],
  ])('%s: a clear error result, the next run works', async (label, code, ename, survives) => {
    await py('kept = 41');
    const r = await py(code);
    expect(r.status, r.text).toBe(200);
    expect(r.body.success, r.text).toBe(false);
    report(`${label}: the result`, { error: r.body.error });
    // A dead kernel is said so, with its state lost; sys.exit is an exception, as in Jupyter.
    expect(r.body.error).toMatchObject({ ename });
    if (!survives)
      expect(String(r.body.stderr)).toMatch(/kernel died; it was restarted and its state is lost/);
    const next = await py('print(1 + 1)\nprint("kept" in globals())');
    expect(next.body, next.text).toMatchObject({
      success: true,
      stdout: `2\n${survives ? 'True' : 'False'}\n`,
    });
    await expectHostUntouched(stage, label);
  });

  it('a memory bomb is ended at the sandbox memory limit; the next run works', async () => {
    const r = await py('a = []\nwhile True:\n    a.append(bytearray(16 * 1024 * 1024))', 60);
    expect(r.status, r.text).toBe(200);
    expect(r.body.success, r.text).toBe(false);
    report('memory bomb (Python): the result', { error: r.body.error });
    expect((r.body.error as { ename?: string }).ename).toMatch(/^(MemoryError|KernelDied)$/);
    const next = await py('print(1 + 1)');
    expect(next.body, next.text).toMatchObject({ success: true, stdout: '2\n' });
    // The agent survived (it is not the one over the limit).
    const info = await call(stage.s, 'GET', '/info');
    expect(info.body.start_time).toBe(stage.agentStart);
    await expectHostUntouched(stage, 'memory bomb (Python, 16 MB chunks, 512 MB sandbox)');
  });

  it('a memory bomb in a command is killed alone; the agent and the kernel survive', async () => {
    const r = await call(
      stage.s,
      'POST',
      '/commands/run',
      { command: 'python3 -c "b = []\nwhile True: b.append(bytearray(16 << 20))"', timeout: 60 },
      90_000,
    );
    expect(r.status, r.text).toBe(200);
    expect(r.body.exit_code, r.text).not.toBe(0);
    report('memory bomb (a command): the result', {
      exit_code: r.body.exit_code,
      stderr: String(r.body.stderr).slice(-200),
    });
    expect(`${String(r.body.stderr)} ${String(r.body.exit_code)}`).toMatch(/MemoryError|Killed|137/);
    const info = await call(stage.s, 'GET', '/info');
    expect(info.body.start_time).toBe(stage.agentStart);
    await expectHostUntouched(stage, 'memory bomb (a command, 16 MB chunks)');
  });

  it('pause during a busy loop: the loop stops using the CPU, resume goes on with its state', async () => {
    const started = await py(
      'import threading\nn = 0\ndef spin():\n    global n\n    while True:\n        n += 1\n' +
        'threading.Thread(target=spin, daemon=True).start()\nprint("spinning")',
    );
    expect(started.body, started.text).toMatchObject({ success: true, stdout: 'spinning\n' });
    const { e, s, host } = stage;
    const ctl = (action: string) =>
      e.app.inject({ method: 'POST', url: `/v1/sandboxes/${s.id}/${action}`, headers: e.auth });
    expect((await ctl('pause')).statusCode).toBe(200);
    // Host CPU time of the sandbox's processes while it is paused (clock ticks, from /proc/N/stat).
    const cpu = () =>
      procsOfUid(host.uid).reduce((sum, pid) => {
        try {
          const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
          return sum + Number(f[11]) + Number(f[12]);
        } catch {
          return sum;
        }
      }, 0);
    const before = cpu();
    await new Promise((r) => setTimeout(r, 2000));
    const pausedTicks = cpu() - before;
    // The host and the neighbour while the victim is paused.
    const health = await healthMs(e);
    const neighbour = await neighbourMs(stage.n);
    expect((await ctl('resume')).statusCode).toBe(200);
    const a = await py('print(n)');
    await new Promise((r) => setTimeout(r, 500));
    const b = await py('print(n)');
    expect(a.body.success && b.body.success, a.text + b.text).toBe(true);
    expect(Number(b.body.stdout)).toBeGreaterThan(Number(a.body.stdout));
    // A frozen cgroup runs nothing: no CPU tick in 2 s (a spinning thread would take ~200).
    expect(pausedTicks).toBe(0);
    report('pause during a busy loop (while paused)', {
      pausedCpuTicks2s: pausedTicks,
      healthMs: health,
      neighbourMs: neighbour,
    });
    await py('import os\nos._exit(0)'); // end the spinning thread with its kernel
    await expectHostUntouched(stage, 'pause during a busy loop (after resume)');
  });
});
