// Hostile /files/* requests against a real bwrap sandbox through the engine's gateway (issue 12,
// items 2, 3 and 7): each answers promptly with a clear envelope, and the agent, its neighbour and
// the engine carry on.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, expectUnharmed, setStage, sh, type Stage } from './hostile-agent-helpers.ts';

let stage: Stage;
beforeAll(async () => {
  stage = await setStage();
  await sh(
    stage.s,
    'mkfifo /workspace/fifo && ln -s /dev/zero /workspace/zero && ln -s /proc /workspace/proc-link && ' +
      'ln -s /dev/urandom /workspace/random && truncate -s 20M /workspace/big.bin',
  );
});
afterAll(async () => {
  await stage?.e.dispose();
});

const expectRefused = (
  r: { status: number; body: Record<string, unknown> },
  status: number,
  code: string,
) => {
  expect(r.status, JSON.stringify(r.body)).toBe(status);
  expect(r.body).toMatchObject({ code, request_id: expect.any(String) });
  expect(String(r.body.message)).toBe(String(r.body.error));
};

describe('paths where a file operation makes no sense (item 2)', () => {
  it('mkdir and write under /proc, /sys and /dev answer 403 at once instead of spinning for ever', async () => {
    const { s } = stage;
    for (const path of ['/proc/x', '/proc/self/x/y', '/sys/x', '/dev/x', '/dev/shm/deep/er']) {
      const mk = await call(s, 'POST', '/files/mkdir', { path });
      expectRefused(mk, 403, 'PATH_NOT_ALLOWED');
      expect(String(mk.body.message)).toMatch(/pseudo filesystems/);
      expectRefused(
        await call(s, 'POST', '/files/write', { path: `${path}/f`, content: 'x' }),
        403,
        'PATH_NOT_ALLOWED',
      );
    }
    // The same through a link the sandbox made: /workspace/proc-link → /proc.
    expectRefused(
      await call(s, 'POST', '/files/mkdir', { path: '/workspace/proc-link/x' }),
      403,
      'PATH_NOT_ALLOWED',
    );
    expectRefused(
      await call(s, 'POST', '/files/write', { path: '/workspace/proc-link/x/y', content: 'x' }),
      403,
      'PATH_NOT_ALLOWED',
    );
    for (const path of ['/proc', '/sys/fs', '/dev', '/workspace/proc-link/self']) {
      expectRefused(await call(s, 'GET', `/files/list?path=${path}`), 403, 'PATH_NOT_ALLOWED');
    }
    expectRefused(await call(s, 'DELETE', '/files/remove?path=/dev/null'), 403, 'PATH_NOT_ALLOWED');
    // The link itself is an ordinary entry: it can be removed (what it points to is untouched).
    const mk = await call(s, 'POST', '/files/mkdir', { path: '/workspace/a/b/c' });
    expect(mk.body).toMatchObject({ success: true, path: '/workspace/a/b/c' });
    await expectUnharmed(stage, 'mkdir/write/list/remove under /proc, /sys, /dev (403)');
  });

  it('watching a pseudo filesystem is refused with an error frame', async () => {
    const { default: WebSocket } = await import('ws');
    const url = `${stage.s.public_host.replace('http', 'ws')}/files/watch`;
    const ws = new WebSocket(url, { headers: { authorization: `Bearer ${stage.s.auth_token}` } });
    const frames: Record<string, unknown>[] = [];
    ws.on('message', (d) => frames.push(JSON.parse(String(d)) as Record<string, unknown>));
    await new Promise((r) => ws.on('open', r));
    ws.send(JSON.stringify({ action: 'watch', path: '/workspace/proc-link' }));
    await new Promise((r) => ws.on('close', r));
    expect(frames[0]).toMatchObject({ type: 'error', code: 'PATH_NOT_ALLOWED' });
  });
});

describe('every request ends within a bound (item 2)', () => {
  it('a body that never finishes arriving is answered 408 instead of holding the request for ever', async () => {
    const { connect } = await import('node:net');
    const url = new URL(stage.s.public_host);
    const socket = connect(Number(url.port), url.hostname);
    let answer = '';
    socket.on('data', (d: Buffer) => (answer += d.toString()));
    const closed = new Promise((r) => socket.on('close', r));
    socket.write(
      `POST /files/write HTTP/1.1\r\nHost: ${url.host}\r\nAuthorization: Bearer ${stage.s.auth_token}\r\n` +
        'Content-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"path":"/workspace/slow',
    );
    const bounded = setTimeout(() => socket.destroy(), 50_000);
    await closed;
    clearTimeout(bounded);
    expect(answer).toMatch(/^HTTP\/1\.1 408/);
    expect(answer).toContain('"code":"OPERATION_TIMEOUT"');
    await expectUnharmed(stage, 'a request body that never finishes (408)');
  }, 70_000);
});

describe('reads that used to kill the agent (item 3)', () => {
  it('refuses devices, links to devices and FIFOs on read and download, without blocking', async () => {
    const { s } = stage;
    for (const path of [
      '/dev/urandom',
      '/dev/zero',
      '/workspace/zero',
      '/workspace/random',
      '/proc/self/environ',
    ]) {
      expectRefused(
        await call(s, 'GET', `/files/read?path=${path}`, undefined, 5000),
        403,
        'PATH_NOT_ALLOWED',
      );
      expectRefused(
        await call(s, 'GET', `/files/download?path=${path}`, undefined, 5000),
        403,
        'PATH_NOT_ALLOWED',
      );
    }
    const fifo = await call(s, 'GET', '/files/read?path=/workspace/fifo', undefined, 5000);
    expectRefused(fifo, 400, 'INVALID_PATH');
    expect(String(fifo.body.message)).toContain('Not a regular file (a FIFO)');
    expectRefused(
      await call(s, 'GET', '/files/download?path=/workspace/fifo', undefined, 5000),
      400,
      'INVALID_PATH',
    );
    // Writing into a FIFO nobody reads, or through a link to a device, is refused too.
    expectRefused(
      await call(s, 'POST', '/files/write', { path: '/workspace/fifo', content: 'x' }, 5000),
      400,
      'INVALID_PATH',
    );
    expectRefused(
      await call(s, 'POST', '/files/write', { path: '/workspace/zero', content: 'x' }, 5000),
      403,
      'PATH_NOT_ALLOWED',
    );
    await expectUnharmed(stage, 'reads of /dev/urandom, /dev/zero, device links, a FIFO');
  });

  it('caps /files/read (413 pointing at download) while /files/download streams the whole file', async () => {
    const { s } = stage;
    const read = await call(s, 'GET', '/files/read?path=/workspace/big.bin');
    expectRefused(read, 413, 'FILE_OPERATION_FAILED');
    expect(String(read.body.message)).toContain('/files/download');
    const down = await call(s, 'GET', '/files/download?path=/workspace/big.bin');
    expect(down.status).toBe(200);
    expect(down.bytes).toBe(20 * 1024 * 1024);
    const small = await call(s, 'POST', '/files/write', { path: '/workspace/t/x.txt', content: 'hi' });
    expect(small.status).toBe(200);
    expect((await call(s, 'GET', '/files/read?path=/workspace/t/x.txt')).body).toMatchObject({
      content: 'hi',
      size: 2,
    });
    await expectUnharmed(stage, '20 MiB file: read 413, download streams');
  });
});

describe('huge listings (item 7)', () => {
  it('answers the first 1000 entries of a 20,000-entry folder, says so, and pages on with a cursor', async () => {
    const { s } = stage;
    await sh(s, 'mkdir -p /tmp/many && cd /tmp/many && seq -w 1 20000 | xargs touch', 120);
    const first = await call(s, 'GET', '/files/list?path=/tmp/many');
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({
      path: '/tmp/many',
      count: 1000,
      total: 20000,
      truncated: true,
      has_more: true,
    });
    expect(String(first.body.message)).toMatch(/next_cursor/);
    expect(first.bytes).toBeLessThan(1024 * 1024);
    const names = (first.body.files as { name: string }[]).map((f) => f.name);
    expect(names[0]).toBe('00001');
    expect(names[999]).toBe('01000');
    const second = await call(
      s,
      'GET',
      `/files/list?path=/tmp/many&limit=5000&cursor=${String(first.body.next_cursor)}`,
    );
    const more = (second.body.files as { name: string }[]).map((f) => f.name);
    expect(more[0]).toBe('01001');
    expect(more).toHaveLength(5000);
    const last = await call(
      s,
      'GET',
      `/files/list?path=/tmp/many&limit=10000&cursor=${String(second.body.next_cursor)}`,
    );
    expect(last.body).toMatchObject({ count: 10000, truncated: true });
    const tail = await call(
      s,
      'GET',
      `/files/list?path=/tmp/many&limit=10000&cursor=${String(last.body.next_cursor)}`,
    );
    expect(tail.body).toMatchObject({ count: 4000, truncated: false, has_more: false, next_cursor: null });
    expectRefused(await call(s, 'GET', '/files/list?path=/tmp/many&limit=100000'), 400, 'INVALID_REQUEST');
    // A small folder keeps the plain HopX answer.
    const small = await call(s, 'GET', '/files/list?path=/workspace/a');
    expect(small.body).toMatchObject({ count: 1, truncated: false, files: [{ name: 'b', is_dir: true }] });
    await expectUnharmed(stage, '20,000-entry listing (paged)');
  });
});
