// Hostile runs against a real bwrap sandbox through the engine's gateway (issue 12, items 5 and 8):
// NUL bytes are refused with 400 and nothing is stored; a timeout ends everything a command
// started, fork bombs and setsid'd escapees included, and the sandbox's own commands work again.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, expectUnharmed, setStage, sh, type Stage } from './hostile-agent-helpers.ts';

let stage: Stage;
beforeAll(async () => {
  stage = await setStage();
});
afterAll(async () => {
  await stage?.e.dispose();
});

/**
 * Live processes in the sandbox (a killed one its init has not reaped yet is a zombie: not
 * counted); +Infinity while it cannot even start `ps` (its pids are exhausted).
 */
const processCount = async (): Promise<number> => {
  const r = await call(stage.s, 'POST', '/commands/run', { command: "ps -eo stat= | grep -vc '^Z'" }, 30_000);
  const n = Number(String(r.body.stdout).trim());
  return r.body.exit_code === 0 && Number.isInteger(n) && n > 0 ? n : Number.POSITIVE_INFINITY;
};
/** Processes of the sandbox whose command line matches (the ps and grep themselves excluded). */
const survivors = async (pattern: string) =>
  (await sh(stage.s, `ps -eo pid,args | grep -E '${pattern}' | grep -v grep || true`)).trim();

describe('NUL bytes (item 5)', () => {
  it('PATCH and PUT /env with a NUL answer 400 and store nothing; runs keep working', async () => {
    const { s } = stage;
    await call(s, 'PUT', '/env', { env_vars: { KEEP: 'yes' } });
    for (const method of ['PATCH', 'PUT']) {
      const r = await call(s, method, '/env', { env_vars: { BAD: 'a\u0000b', OTHER: 'x' }, merge: true });
      expect(r.status).toBe(400);
      expect(r.body).toMatchObject({ code: 'INVALID_REQUEST' });
      expect(String(r.body.message)).toMatch(/NUL/);
    }
    expect((await call(s, 'GET', '/env')).body).toMatchObject({ env_vars: { KEEP: 'yes' }, count: 1 });
    const run = await call(s, 'POST', '/execute', { language: 'bash', code: 'echo $KEEP' });
    expect(run.body).toMatchObject({ success: true, stdout: 'yes\n' });
  });

  it('a NUL in a command, its args, env or workdir, or in execute code/env/workdir is a 400, not a 500', async () => {
    const { s } = stage;
    const bad: [string, Record<string, unknown>][] = [
      ['/commands/run', { command: 'echo a\u0000b' }],
      ['/commands/run', { command: 'echo', args: ['a\u0000b'] }],
      ['/commands/run', { command: 'echo', env: { X: 'a\u0000b' } }],
      ['/commands/run', { command: 'echo', env: { 'X\u0000': 'a' } }],
      ['/commands/run', { command: 'pwd', workdir: '/workspace\u0000/x' }],
      ['/commands/background', { command: 'echo a\u0000b' }],
      ['/execute', { language: 'bash', code: 'echo a\u0000b' }],
      ['/execute', { language: 'javascript', code: 'console.log(1)\u0000' }],
      ['/execute', { language: 'bash', code: 'echo', env: { X: 'a\u0000b' } }],
      ['/execute', { language: 'python', code: 'print(1)', env: { X: 'a\u0000b' } }],
      ['/execute', { language: 'bash', code: 'pwd', workdir: '/tmp\u0000' }],
      ['/execute/background', { language: 'bash', code: 'echo a\u0000b' }],
    ];
    for (const [path, body] of bad) {
      const r = await call(s, 'POST', path, body);
      expect(r.status, `${path} ${JSON.stringify(body)}: ${r.text}`).toBe(400);
      expect(r.body.code).toMatch(/INVALID_REQUEST|INVALID_PATH/);
    }
    expect((await call(s, 'POST', '/commands/run', { command: 'echo', args: ['fine'] })).body).toMatchObject({
      stdout: 'fine\n',
    });
    await expectUnharmed(stage);
  });
});

describe('timeouts end everything a command started (item 8)', () => {
  it('a fork bomb under a timeout is gone when the call returns; the sandbox runs commands again', async () => {
    // The Python kernel is up (an env change above restarts it in the background) before counting.
    await call(stage.s, 'POST', '/execute', { language: 'python', code: 'pass' });
    const before = await processCount();
    const r = await call(
      stage.s,
      'POST',
      '/commands/run',
      { command: 'bomb() { bomb | bomb & }; bomb; sleep 60', timeout: 3 },
      60_000,
    );
    expect(r.body).toMatchObject({ success: false, exit_code: 124 });
    expect(await processCount(), await sh(stage.s, 'ps -eo pid,ppid,etimes,args')).toBeLessThanOrEqual(
      before,
    );
    expect(await sh(stage.s, 'echo alive')).toBe('alive\n');
    await expectUnharmed(stage, 'fork bomb under a 3 s command timeout');
  });

  it('a bomb whose first process exits at once is ended when its timeout passes', async () => {
    // As above: the Python kernel is up before counting (the previous bomb can leave it
    // restarting; counted later, it made one process "too many" in a CI run).
    await call(stage.s, 'POST', '/execute', { language: 'python', code: 'pass' });
    const before = await processCount();
    const r = await call(
      stage.s,
      'POST',
      '/commands/run',
      { command: 'b() { b | b & }; b', timeout: 3 },
      60_000,
    );
    expect(r.status).toBe(200);
    // Poll (without a time assertion) until the run's deadline has reaped it.
    let now = Number.POSITIVE_INFINITY;
    for (let i = 0; i < 60 && now > before; i++) {
      await new Promise((res) => setTimeout(res, 500));
      now = await processCount();
    }
    expect(now, await sh(stage.s, 'ps -eo pid,ppid,etimes,args')).toBeLessThanOrEqual(before);
    await expectUnharmed(stage, 'fork bomb whose first process exits at once');
  });

  it('setsid, double-forked and env-cleared children do not outlive the timeout', async () => {
    const r = await call(
      stage.s,
      'POST',
      '/commands/run',
      {
        command:
          'setsid sleep 3001 & (setsid sh -c "sleep 3002" &); env -i setsid sleep 3003 & ' +
          'nohup sleep 3004 >/dev/null 2>&1 & sleep 60',
        timeout: 2,
      },
      60_000,
    );
    expect(r.body).toMatchObject({ exit_code: 124 });
    expect(await survivors('sleep 300[1-4]')).toBe('');
    await expectUnharmed(stage, 'setsid, double-forked, env -i and nohup children');
  });

  it('killing a background command ends its escaped children too, and leaves other work alone', async () => {
    const { s } = stage;
    const keep = await call(s, 'POST', '/commands/background', { command: 'sleep 4001', timeout: 120 });
    const bg = await call(s, 'POST', '/commands/background', {
      command: 'setsid sleep 4002 & env -i setsid sleep 4003 & sleep 4004',
      timeout: 120,
    });
    await new Promise((res) => setTimeout(res, 500));
    expect(await survivors('sleep 400[1-4]')).toMatch(/4002[\s\S]*4003|4003[\s\S]*4002/);
    const killed = await call(s, 'POST', `/execute/kill/${String(bg.body.process_id)}`);
    expect(killed.status).toBe(200);
    let left = 'x';
    for (let i = 0; i < 20 && left !== ''; i++) {
      await new Promise((res) => setTimeout(res, 250));
      left = await survivors('sleep 400[2-4]');
    }
    expect(left).toBe('');
    expect(await survivors('sleep 4001')).toContain('sleep 4001');
    await call(s, 'POST', `/execute/kill/${String(keep.body.process_id)}`);
  });
});
