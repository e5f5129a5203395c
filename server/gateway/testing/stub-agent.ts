/**
 * A scripted stand-in for the untrusted side of the gateway, for unit tests only: it answers on a
 * unix socket like an agent would, and misbehaves on demand (garbage frames, huge frames, early
 * close) so the gateway's defences can be exercised. Integration tests use the real agent.
 */
import http from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WebSocketServer, type WebSocket } from 'ws';

export interface StubAgent {
  socketPath: string;
  /** Headers and URL of the last HTTP request or upgrade the stub received. */
  last: { url: string; headers: http.IncomingHttpHeaders } | null;
  /** WebSockets currently open on the agent side. */
  openSockets(): number;
  close(): Promise<void>;
}

const ts = '2026-11-26T00:00:00Z';

function onStream(ws: WebSocket): void {
  ws.once('message', (raw) => {
    const msg = JSON.parse(raw.toString()) as { code: string };
    if (msg.code === 'hang') {
      // A run that never ends by itself: the client has to kill it or go away.
      ws.send(JSON.stringify({ type: 'start', execution_id: 'exec_stubhang', timestamp: ts }));
      ws.send(JSON.stringify({ type: 'stdout', data: 'working\n', timestamp: ts }));
      return;
    }
    const frames = [
      { type: 'start', execution_id: 'exec_stub0001', timestamp: ts },
      { type: 'stdout', data: 'one\n', timestamp: ts },
      { type: 'stderr', data: 'warn\n', timestamp: ts },
      { type: 'stdout', data: `${msg.code.length}\n`, timestamp: ts },
      { type: 'rich_output', mime_type: 'text/html', format: 'html', data: '<b>x</b>', timestamp: ts },
      { type: 'result', exit_code: 0, execution_time: 0.01, timestamp: ts },
      { type: 'complete', success: true },
    ];
    for (const f of frames) ws.send(JSON.stringify(f));
  });
}

function onGarbage(ws: WebSocket): void {
  ws.once('message', () => {
    ws.send('not json {');
    ws.send(Buffer.from([0xff, 0x00, 0x01]), { binary: true });
    ws.send('{"type":"stdout","data":{"nested":true}}');
    ws.send('x'.repeat(64 * 1024));
    ws.send(JSON.stringify({ type: 'complete', success: true }));
  });
}

export async function startStubAgent(): Promise<StubAgent> {
  const dir = mkdtempSync(join(tmpdir(), 'hopdeck-gw-'));
  const socketPath = join(dir, 'agent.sock');
  const wss = new WebSocketServer({ noServer: true, maxPayload: 64 * 1024 * 1024 });
  const stub: StubAgent = {
    socketPath,
    last: null,
    openSockets: () => wss.clients.size,
    close: async () => undefined,
  };
  const server = http.createServer((req, res) => {
    stub.last = { url: req.url ?? '', headers: req.headers };
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (req.url !== '/upload') chunks.push(c);
    });
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://stub');
      if (url.pathname === '/execute') {
        const body = JSON.parse(Buffer.concat(chunks).toString()) as { code: string };
        if (body.code === 'slow' && !res.headersSent) {
          // A long synchronous run: answer only after a second and a bit.
          setTimeout(() => {
            res.writeHead(200, { 'content-type': 'application/json' });
            res.end(
              JSON.stringify({ success: true, stdout: '', stderr: '', exit_code: 0, execution_time: 1.1 }),
            );
          }, 1100);
          return;
        }
        res.writeHead(200, {
          'content-type': 'application/json',
          'set-cookie': 'hopdeck_session=evil',
          'access-control-allow-origin': '*',
        });
        res.end(
          JSON.stringify({
            success: body.code !== 'fail',
            stdout: `ran ${body.code}\n`,
            stderr: '',
            exit_code: body.code === 'fail' ? 1 : 0,
            execution_time: 0.002,
            language: 'python',
            timestamp: ts,
            execution_id: 'exec_stubhttp',
            rich_outputs: [{ type: 'image/png', format: 'base64', data: 'iVBORw0KGgo=' }],
          }),
        );
      } else if (url.pathname === '/raw-bad') {
        // A hostile agent: a response head no HTTP client should accept.
        res.socket?.end('HTTP/1.1 200 OK\r\nX-Bad: a\u0001b\r\nContent-Length: 2\r\n\r\nok');
      } else if (url.pathname === '/upload') {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ received: size }));
      } else if (url.pathname === '/download') {
        const total = Number(url.searchParams.get('bytes') ?? 0);
        res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': total });
        const block = Buffer.alloc(64 * 1024, 0x61);
        let sent = 0;
        const pump = () => {
          while (sent < total) {
            const n = Math.min(block.length, total - sent);
            sent += n;
            if (!res.write(block.subarray(0, n))) return void res.once('drain', pump);
          }
          res.end();
        };
        pump();
      } else {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ method: req.method, url: req.url, headers: req.headers }));
      }
    });
  });
  server.on('upgrade', (req, socket, head) => {
    stub.last = { url: req.url ?? '', headers: req.headers };
    const path = new URL(req.url ?? '/', 'http://stub').pathname;
    if (path === '/missing') {
      socket.end(
        'HTTP/1.1 404 Not Found\r\ncontent-type: application/json\r\n\r\n{"error":"No route","code":"NOT_FOUND"}',
      );
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      if (path === '/execute/stream') onStream(ws);
      else if (path === '/garbage') onGarbage(ws);
      else if (path === '/huge') ws.once('message', () => ws.send('y'.repeat(2 * 1024 * 1024)));
      else if (path === '/close-early') ws.close(4001, 'bye');
      else ws.on('message', (data, isBinary) => ws.send(data, { binary: isBinary }));
    });
  });
  await new Promise<void>((resolve) => server.listen(socketPath, resolve));
  stub.close = async () => {
    for (const c of wss.clients) c.terminate();
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    rmSync(dir, { recursive: true, force: true });
  };
  return stub;
}
