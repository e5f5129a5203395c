/**
 * Moving bytes between a browser (or SDK) and a port inside a sandbox: a CONNECT tunnel through the
 * agent's unix socket (server/agent/routes/ports.ts), then the HTTP request or WebSocket upgrade
 * replayed over it with filtered headers. Everything the sandbox answers is untrusted.
 */
import { request, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { pipeline } from 'node:stream';
import { GatewayError, sendError, writeRawError } from './errors.ts';
import { HOP_BY_HOP } from './http-proxy.ts';

export const PORT_COOKIE = 'hopdeck_port';
export const HOP_HEADER = 'x-hopdeck-port-hop';
const TUNNEL_TIMEOUT_MS = 5000;

/** A raw pipe to 127.0.0.1:<port> inside the sandbox, or a GatewayError saying why not. */
export function openTunnel(socketPath: string, port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const req = request({
      socketPath,
      method: 'CONNECT',
      path: `127.0.0.1:${port}`,
      timeout: TUNNEL_TIMEOUT_MS,
    });
    req.on('connect', (res, socket, head) => {
      if (res.statusCode === 200) {
        req.setTimeout(0);
        if (head.length > 0) socket.unshift(head);
        resolve(socket);
        return;
      }
      socket.destroy();
      reject(
        res.statusCode === 502
          ? new GatewayError(
              502,
              'PORT_NOT_LISTENING',
              `Nothing is listening on port ${port} in the sandbox`,
              {
                details: { port },
              },
            )
          : new GatewayError(502, 'SERVICE_UNAVAILABLE', 'The sandbox refused the port connection'),
      );
    });
    req.on('timeout', () => req.destroy(new Error('tunnel timed out')));
    req.on('error', () =>
      reject(new GatewayError(502, 'SERVICE_UNAVAILABLE', 'Sandbox agent is not reachable')),
    );
    req.end();
  });
}

/** The request's headers for the sandbox: no hop-by-hop, no engine credentials, forwarding info added. */
export function upstreamHeaders(
  req: IncomingMessage,
  opts: { stripAuthorization: boolean; upgrade: boolean },
) {
  const out: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(req.headers as IncomingHttpHeaders)) {
    if (value === undefined || HOP_BY_HOP.has(name) || name === HOP_HEADER) continue;
    if (name === 'authorization' && opts.stripAuthorization) continue;
    if (name === 'cookie') {
      const kept = String(value)
        .split(';')
        .map((c) => c.trim())
        .filter((c) => c !== '' && !c.startsWith(`${PORT_COOKIE}=`));
      if (kept.length > 0) out.cookie = kept.join('; ');
      continue;
    }
    out[name] = value;
  }
  if (opts.upgrade) {
    out.connection = 'Upgrade';
    out.upgrade = String(req.headers.upgrade ?? 'websocket');
  } else {
    out.connection = 'close';
  }
  out['x-forwarded-host'] = String(req.headers.host ?? '');
  out['x-forwarded-proto'] = 'http';
  out['x-forwarded-for'] = req.socket.remoteAddress ?? '';
  out[HOP_HEADER] = '1';
  return out;
}

/**
 * The sandbox's response headers for the browser: no hop-by-hop, and no cookie that could reach
 * beyond this port's own host (a Domain attribute would cover the dashboard's `localhost` and every
 * other sandbox) or that shadows the engine's own cookies.
 */
export function downstreamHeaders(raw: string[]): [string, string][] {
  const out: [string, string][] = [];
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = (raw[i] ?? '').toLowerCase();
    const value = raw[i + 1] ?? '';
    if (HOP_BY_HOP.has(name)) continue;
    if (name === 'set-cookie') {
      const cookieName = value.split('=')[0]?.trim().toLowerCase() ?? '';
      if (/;\s*domain\s*=/i.test(value) || cookieName.startsWith('hopdeck_')) continue;
    }
    out.push([raw[i] ?? name, value]);
  }
  return out;
}

function headObject(pairs: [string, string][]): Record<string, string | string[]> {
  const o: Record<string, string | string[]> = {};
  for (const [k, v] of pairs) {
    const key = k.toLowerCase();
    const prev = o[key];
    o[key] = prev === undefined ? v : Array.isArray(prev) ? [...prev, v] : [prev, v];
  }
  return o;
}

export function proxyHttp(
  req: IncomingMessage,
  res: ServerResponse,
  tunnel: Socket,
  headers: Record<string, string | string[]>,
  requestId: string,
): void {
  const up = request(
    { createConnection: () => tunnel, method: req.method, path: req.url ?? '/', headers },
    (ures) => {
      try {
        res.writeHead(ures.statusCode ?? 502, headObject(downstreamHeaders(ures.rawHeaders)));
      } catch {
        // a head Node refuses to write (invalid characters from the sandbox)
        ures.destroy();
        sendError(
          res,
          new GatewayError(502, 'BAD_GATEWAY', 'The sandbox sent an invalid response'),
          requestId,
        );
        return;
      }
      pipeline(ures, res, () => tunnel.destroy());
    },
  );
  up.on('error', () => {
    tunnel.destroy();
    sendError(res, new GatewayError(502, 'BAD_GATEWAY', 'The sandbox closed the connection'), requestId);
  });
  res.on('close', () => {
    if (!res.writableFinished) tunnel.destroy();
  });
  pipeline(req, up, () => undefined);
}

export function proxyUpgrade(
  req: IncomingMessage,
  client: Duplex,
  head: Buffer,
  tunnel: Socket,
  headers: Record<string, string | string[]>,
  requestId: string,
): void {
  const both = (a: Duplex, b: Duplex) => {
    const end = () => {
      a.destroy();
      b.destroy();
    };
    a.on('error', end).on('close', end);
    b.on('error', end).on('close', end);
  };
  const up = request({ createConnection: () => tunnel, method: req.method, path: req.url ?? '/', headers });
  up.on('upgrade', (ures, usock, uhead) => {
    const lines = downstreamHeaders(ures.rawHeaders)
      .filter(([, v]) => !/[\r\n]/.test(v))
      .map(([k, v]) => `${k}: ${v}\r\n`);
    client.write(
      `HTTP/1.1 101 Switching Protocols\r\nconnection: Upgrade\r\nupgrade: ${ures.headers.upgrade ?? 'websocket'}\r\n${lines.join('')}\r\n`,
    );
    if (uhead.length > 0) client.write(uhead);
    if (head.length > 0) usock.write(head);
    both(client, usock);
    usock.pipe(client).pipe(usock);
  });
  up.on('response', (ures) => {
    // the server in the sandbox declined the upgrade: pass its answer on and close
    const lines = downstreamHeaders(ures.rawHeaders)
      .filter(([k, v]) => k.toLowerCase() !== 'content-length' && !/[\r\n]/.test(v))
      .map(([k, v]) => `${k}: ${v}\r\n`);
    client.write(
      `HTTP/1.1 ${ures.statusCode ?? 502} ${ures.statusMessage?.replace(/[\r\n]/g, '') ?? ''}\r\n${lines.join('')}connection: close\r\n\r\n`,
    );
    both(client, tunnel);
    pipeline(ures, client, () => tunnel.destroy());
  });
  up.on('error', () => {
    tunnel.destroy();
    writeRawError(
      client,
      new GatewayError(502, 'BAD_GATEWAY', 'The sandbox closed the connection'),
      requestId,
    );
  });
  client.on('error', () => tunnel.destroy());
  up.end();
}
