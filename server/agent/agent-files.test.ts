// Files, env and commands over the agent's real socket.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { chmod, readdir, stat, symlink } from 'node:fs/promises';
import { join } from 'node:path';
import { startAgent, type AgentHandle } from './testing/harness.ts';
import { multipart, patternSha256, sendUpload, type Part } from './testing/multipart.ts';

let agent: AgentHandle;
beforeAll(async () => {
  agent = await startAgent({ warmPython: false });
});
afterAll(async () => {
  await agent?.close();
});

describe('agent /files', () => {
  it('writes, reads, lists, checks and removes a text file', async () => {
    const write = await agent.call('POST', '/files/write', {
      path: '/workspace/notes/a.txt',
      content: 'héllo\n',
    });
    expect(write.status).toBe(200);
    expect(write.json()).toMatchObject({ success: true, path: '/workspace/notes/a.txt', size: 7 });
    const read = await agent.call('GET', '/files/read?path=/workspace/notes/a.txt');
    expect(read.json()).toMatchObject({ content: 'héllo\n', size: 7 });
    const list = (await agent.call('GET', '/files/list?path=/workspace/notes')).json<{
      files: Record<string, unknown>[];
    }>();
    expect(list.files).toHaveLength(1);
    const entry = list.files[0]!;
    expect(entry).toMatchObject({
      name: 'a.txt',
      path: '/workspace/notes/a.txt',
      is_directory: false,
      is_dir: false,
      size: 7,
    });
    expect(String(entry.modified_time)).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect(entry.modified).toBe(entry.modified_time);
    expect(entry.permissions).toBe('-rw-r--r--');
    expect((await agent.call('GET', '/files/exists?path=/workspace/notes/a.txt')).json()).toMatchObject({
      exists: true,
    });
    expect((await agent.call('DELETE', '/files/remove?path=/workspace/notes')).status).toBe(200);
    expect((await agent.call('GET', '/files/exists?path=/workspace/notes/a.txt')).json()).toMatchObject({
      exists: false,
    });
  });

  it('round-trips binary content written as base64', async () => {
    const bytes = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
    await agent.call('POST', '/files/write', {
      path: '/workspace/bin.dat',
      content: bytes.toString('base64'),
      encoding: 'base64',
    });
    const down = await agent.call('GET', '/files/download?path=/workspace/bin.dat');
    expect(down.status).toBe(200);
    expect(down.headers['content-type']).toBe('application/octet-stream');
    expect(Buffer.compare(down.body, bytes)).toBe(0);
  });

  it('gives clear errors for missing files and bad paths', async () => {
    const missing = await agent.call('GET', '/files/read?path=/workspace/none.txt');
    expect(missing.status).toBe(404);
    expect(missing.json()).toMatchObject({ code: 'FILE_NOT_FOUND', path: '/workspace/none.txt' });
    const rel = await agent.call('GET', '/files/read?path=etc/passwd');
    expect(rel.status).toBe(400);
    expect(rel.json()).toMatchObject({ code: 'INVALID_PATH' });
    const nul = await agent.call('GET', '/files/read?path=/workspace/a%00b');
    expect(nul.json()).toMatchObject({ code: 'INVALID_PATH' });
    const noPath = await agent.call('GET', '/files/read');
    expect(noPath.json()).toMatchObject({ code: 'MISSING_PARAMETER' });
    await agent.call('POST', '/files/write', { path: '/workspace/once.txt', content: '1' });
    const clash = await agent.call('POST', '/files/write', {
      path: '/workspace/once.txt',
      content: '2',
      overwrite: false,
    });
    expect(clash.json()).toMatchObject({ code: 'FILE_ALREADY_EXISTS' });
  });
});

describe('agent /files/upload (streamed to disk)', () => {
  const upload = (parts: Part[], opts?: { contentLength?: number }) =>
    sendUpload({ socketPath: agent.socket }, multipart(parts), opts);
  const onDisk = (api: string) => join(agent.root, api);
  const sha256Of = async (api: string) => {
    const h = createHash('sha256');
    for await (const c of createReadStream(onDisk(api))) h.update(c as Buffer);
    return h.digest('hex');
  };
  /** No temporary file of an upload is left anywhere it could have been written. */
  const expectNoTemp = async () => {
    for (const dir of ['/workspace', '/workspace/up']) {
      const names = await readdir(onDisk(dir)).catch(() => [] as string[]);
      expect(names.filter((n) => n.startsWith('.upload-'))).toEqual([]);
    }
  };

  it('takes a file larger than the old 256 MiB in-memory cap, path after the file (JS SDK order)', async () => {
    const bytes = 300 * 1024 * 1024;
    const res = await upload([
      { name: 'file', filename: 'big.bin', bytes },
      { name: 'path', value: '/workspace/up/big.bin' },
    ]);
    expect(res.status, res.text).toBe(200);
    expect(res.body).toMatchObject({ success: true, path: '/workspace/up/big.bin', size: bytes });
    expect((await stat(onDisk('/workspace/up/big.bin'))).size).toBe(bytes);
    expect(await sha256Of('/workspace/up/big.bin')).toBe(patternSha256(bytes));
    await expectNoTemp();
    await agent.call('DELETE', '/files/remove?path=/workspace/up/big.bin');
  });

  it('takes the path before the file, overwrites keeping the mode, defaults to the work dir', async () => {
    await agent.call('POST', '/files/write', { path: '/workspace/up/keep.txt', content: 'old' });
    await chmod(onDisk('/workspace/up/keep.txt'), 0o600);
    const res = await upload([
      { name: 'path', value: '/workspace/up/keep.txt' },
      { name: 'file', filename: 'x', bytes: 5000 },
    ]);
    expect(res.status, res.text).toBe(200);
    const st = await stat(onDisk('/workspace/up/keep.txt'));
    expect(st.size).toBe(5000);
    expect(st.mode & 0o777).toBe(0o600);
    const plain = await upload([{ name: 'file', filename: '../../named.txt', bytes: 10 }]);
    expect(plain.body).toMatchObject({ path: '/workspace/named.txt', size: 10 });
    await expectNoTemp();
  });

  it('answers clear envelopes for bad bodies and leaves no temporary file behind', async () => {
    const file: Part = { name: 'file', filename: 'f', bytes: 2048 };
    const cases: [Part[], number, string][] = [
      [[{ name: 'path', value: '/workspace/up/none' }], 400, 'MISSING_PARAMETER'],
      [
        [file, { ...file, name: 'file' }, { name: 'path', value: '/workspace/up/two' }],
        400,
        'INVALID_REQUEST',
      ],
      [[{ ...file, name: 'other' }], 400, 'INVALID_REQUEST'],
      [[{ ...file, extraHeader: `X-Big: ${'a'.repeat(20_000)}` }], 400, 'INVALID_REQUEST'],
      [[{ name: 'path', value: '/proc/self/x' }, file], 403, 'PATH_NOT_ALLOWED'],
      [[file, { name: 'path', value: '/dev/shm/../null' }], 403, 'PATH_NOT_ALLOWED'],
      [[file, { name: 'path', value: 'relative.txt' }], 400, 'INVALID_PATH'],
      [[file, { name: 'path', value: '/workspace' }], 400, 'INVALID_PATH'],
    ];
    for (const [parts, status, code] of cases) {
      const res = await upload(parts);
      expect(res.status, `${JSON.stringify(parts.map((p) => p.name))}: ${res.text}`).toBe(status);
      expect(res.body).toMatchObject({ code });
      expect(typeof res.body.request_id).toBe('string');
    }
    const garbage = await agent.call('POST', '/files/upload', 'not multipart at all', {
      'content-type': 'multipart/form-data; boundary=zzz',
    });
    expect(garbage.status).toBe(400);
    const noBoundary = await agent.call('POST', '/files/upload', 'x', {
      'content-type': 'multipart/form-data',
    });
    expect(noBoundary.json()).toMatchObject({ code: 'INVALID_REQUEST' });
    await expectNoTemp();
  });

  it('refuses a link into /dev at the destination and a body larger than the free disk (507)', async () => {
    await symlink('/dev/null', onDisk('/workspace/up/devnull'));
    const link = await upload([
      { name: 'file', filename: 'f', bytes: 100 },
      { name: 'path', value: '/workspace/up/devnull' },
    ]);
    expect(link.status, link.text).toBe(403);
    const huge = await upload([{ name: 'file', filename: 'f', bytes: 1024 }], { contentLength: 2 ** 52 });
    expect(huge.status, huge.text).toBe(507);
    expect(huge.body).toMatchObject({ code: 'FILE_OPERATION_FAILED' });
    await expectNoTemp();
  });
});

describe('agent /files/watch', () => {
  it('reports files created, modified and deleted below the watched directory', async () => {
    const { default: WebSocket } = await import('ws');
    await agent.call('POST', '/files/mkdir', { path: '/workspace/watched/deep' });
    const ws = new WebSocket(`ws+unix://${agent.socket}:/files/watch`);
    const events: { type: string; path: string; event: string }[] = [];
    ws.on('message', (d) => events.push(JSON.parse(String(d)) as (typeof events)[number]));
    await new Promise((resolve) => ws.on('open', resolve));
    ws.send(JSON.stringify({ action: 'watch', path: '/workspace/watched' }));
    await new Promise((r) => setTimeout(r, 200));
    await agent.call('POST', '/files/write', { path: '/workspace/watched/deep/a.txt', content: '1' });
    await new Promise((r) => setTimeout(r, 150));
    await agent.call('DELETE', '/files/remove?path=/workspace/watched/deep/a.txt');
    const seen = (event: string) =>
      events.some(
        (e) => e.type === 'change' && e.path === '/workspace/watched/deep/a.txt' && e.event === event,
      );
    const deadline = Date.now() + 3000;
    while (!(seen('created') && seen('deleted')) && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 50));
    ws.close();
    expect(seen('created')).toBe(true);
    expect(seen('deleted')).toBe(true);
    expect(events.every((e) => e.path.startsWith('/workspace/watched/'))).toBe(true);
  });
});

describe('agent /env and /commands', () => {
  it('changes the global env for later runs (PUT replaces, PATCH merges, DELETE clears)', async () => {
    await agent.call('PUT', '/env', { env_vars: { A_KEY: 'one', API_TOKEN: 'secret' } });
    await agent.call('PATCH', '/env', { env_vars: { B: 'two' }, merge: true });
    const env = (await agent.call('GET', '/env')).json<{ env_vars: Record<string, string> }>();
    expect(env.env_vars).toEqual({ A_KEY: 'one', API_TOKEN: 'secret', B: 'two' });
    const run = await agent.call('POST', '/commands/run', {
      command: 'bash',
      args: ['-c', 'echo "$A_KEY $B $API_TOKEN"'],
    });
    expect(run.json()).toMatchObject({ stdout: 'one two secret\n', exit_code: 0, success: true });
    await agent.call('DELETE', '/env');
    const after = await agent.call('POST', '/commands/run', { command: 'echo "[$A_KEY]"' });
    expect(after.json()).toMatchObject({ stdout: '[]\n' });
    const bad = await agent.call('PUT', '/env', { env_vars: { 'not ok': 'x' } });
    expect(bad.json()).toMatchObject({ code: 'INVALID_REQUEST' });
  });

  it('runs commands with args (no shell) or through sh -c, reporting failures as 200', async () => {
    const args = await agent.call('POST', '/commands/run', {
      command: 'printf',
      args: ['%s|', 'a b', '$HOME'],
    });
    expect(args.json()).toMatchObject({ stdout: 'a b|$HOME|', success: true });
    const fail = await agent.call('POST', '/commands/run', {
      command: 'echo oops >&2; exit 7',
      working_dir: '/workspace',
    });
    expect(fail.status).toBe(200);
    expect(fail.json()).toMatchObject({ success: false, exit_code: 7, stderr: 'oops\n' });
    const timeout = await agent.call('POST', '/commands/run', { command: 'sleep 20', timeout: 1 });
    expect(timeout.json()).toMatchObject({ success: false, exit_code: 124 });
  });
});
