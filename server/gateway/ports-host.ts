/**
 * Sandbox ports by host name on the engine's own port (decision 0011):
 * `http://<port>-<sandbox id>.localhost:<engine port>/` reaches `127.0.0.1:<port>` inside that
 * sandbox, HTTP and WebSocket. Access: `Authorization: Bearer <sandbox token>` (SDKs, curl), or a
 * host-only cookie obtained from a one-time `?hopdeck_token=` link the control plane hands out
 * (browsers). Requests for any other host go to Fastify untouched.
 */
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { SandboxTokens } from '../auth/tokens.ts';
import { checkToken, requireRunning, VerifiedTokens, type SandboxTarget } from './access.ts';
import { GatewayError, errors, requestIdFor, sendError, writeRawError } from './errors.ts';
import { COOKIE_TTL_SECONDS, type PortTokens } from './ports-tokens.ts';
import {
  HOP_HEADER,
  PORT_COOKIE,
  openTunnel,
  proxyHttp,
  proxyUpgrade,
  upstreamHeaders,
} from './ports-proxy.ts';

export const LINK_PARAM = 'hopdeck_token';
const SANDBOX_ID = /^sandbox_[a-z0-9]{16}$/;

export interface PortHostOptions {
  tokens: SandboxTokens;
  portTokens: PortTokens;
  lookup: (id: string) => SandboxTarget | null;
  /** Host name suffix the port hosts live under (the public URL's host name, issue 13). */
  suffix?: string;
}

export type PortHost = { port: number; sandboxId: string };

/** The port URL clients use: `http://<port>-<id>.<suffix>:<engine port>/`. */
export function portUrl(sandboxId: string, port: number, enginePort: number, suffix = 'localhost'): string {
  return `http://${port}-${sandboxId}.${suffix}:${enginePort}/`;
}

/**
 * `8000-sandbox_x.localhost[:7070]` → {port, sandboxId}; a port host with a bad port or id → a
 * GatewayError to answer with; any other host → null (not ours).
 */
export function parsePortHost(
  host: string | undefined,
  suffix = 'localhost',
): PortHost | GatewayError | null {
  if (!host) return null;
  const name = host.toLowerCase().replace(/:\d{1,5}$/, '');
  if (!name.endsWith(`.${suffix}`)) return null;
  const label = name.slice(0, -suffix.length - 1);
  const dash = label.indexOf('-');
  if (label.includes('.') || dash < 0) return null;
  const portText = label.slice(0, dash);
  const id = label.slice(dash + 1);
  if (!id.startsWith('sandbox_')) return null;
  const port = /^[1-9]\d{0,4}$/.test(portText) ? Number(portText) : NaN;
  if (!(port >= 1 && port <= 65535))
    return new GatewayError(400, 'INVALID_PORT', 'Port must be a number from 1 to 65535', {
      details: { port: portText.slice(0, 16) },
    });
  if (!SANDBOX_ID.test(id)) return errors.notFound();
  return { port, sandboxId: id };
}

function cookieValue(req: IncomingMessage, name: string): string | null {
  for (const part of String(req.headers.cookie ?? '').split(';')) {
    const [k, ...v] = part.trim().split('=');
    if (k === name) return v.join('=');
  }
  return null;
}

/** The request target without the link parameter (textually, other parameters byte for byte). */
export function withoutLinkParam(rawUrl: string): string {
  const q = rawUrl.indexOf('?');
  if (q < 0) return rawUrl;
  const kept = rawUrl
    .slice(q + 1)
    .split('&')
    .filter((p) => p !== '' && p.split('=')[0] !== LINK_PARAM);
  const path = rawUrl.slice(0, q);
  return kept.length > 0 ? `${path}?${kept.join('&')}` : path;
}

type Access =
  { kind: 'proxy'; stripAuthorization: boolean } | { kind: 'redirect'; location: string; cookie?: string };

export class PortHosts {
  readonly #verified = new VerifiedTokens();
  constructor(private readonly opts: PortHostOptions) {}

  match(req: IncomingMessage): PortHost | GatewayError | null {
    return parsePortHost(req.headers.host, this.opts.suffix);
  }

  async #access(req: IncomingMessage, target: PortHost): Promise<Access> {
    if (req.headers[HOP_HEADER] !== undefined)
      throw new GatewayError(508, 'LOOP_DETECTED', 'A port URL cannot be reached through a port URL');
    const { portTokens } = this.opts;
    const { sandboxId, port } = target;
    const raw = req.url ?? '/';
    if (!raw.startsWith('/')) throw errors.badRequest('Request target must be a path');
    const url = new URL(raw, 'http://port');
    const cookie = cookieValue(req, PORT_COOKIE);
    const cookieOk = cookie !== null && portTokens.check(cookie, 'cookie', sandboxId, port) !== null;
    const link = url.searchParams.get(LINK_PARAM);
    if (link !== null && (req.method === 'GET' || req.method === 'HEAD')) {
      const location = withoutLinkParam(raw);
      if (cookieOk) return { kind: 'redirect', location };
      const claims = portTokens.check(link, 'link', sandboxId, port);
      if (!claims || !portTokens.spend(claims))
        throw new GatewayError(
          401,
          'TOKEN_INVALID',
          'This port link expired or was already used; open the port again from the dashboard',
        );
      const { token } = portTokens.issue('cookie', sandboxId, port);
      const attrs = `Path=/; HttpOnly; SameSite=Lax; Max-Age=${COOKIE_TTL_SECONDS}`;
      return { kind: 'redirect', location, cookie: `${PORT_COOKIE}=${token}; ${attrs}` };
    }
    if (cookieOk) return { kind: 'proxy', stripAuthorization: false };
    const header = req.headers.authorization;
    const bearer = typeof header === 'string' ? /^Bearer\s+(\S+)\s*$/i.exec(header.trim())?.[1] : undefined;
    if (bearer) {
      await checkToken(this.opts.tokens, bearer, sandboxId, this.#verified);
      return { kind: 'proxy', stripAuthorization: true };
    }
    throw new GatewayError(
      401,
      'AUTHENTICATION_REQUIRED',
      'Open this port from the dashboard (Ports tab), or send Authorization: Bearer <sandbox auth_token>',
    );
  }

  async handle(req: IncomingMessage, res: ServerResponse, target: PortHost): Promise<void> {
    const requestId = requestIdFor(req);
    try {
      const access = await this.#access(req, target);
      if (access.kind === 'redirect') {
        res.writeHead(302, {
          location: access.location,
          'cache-control': 'no-store',
          'referrer-policy': 'no-referrer',
          'x-request-id': requestId,
          ...(access.cookie ? { 'set-cookie': access.cookie } : {}),
        });
        res.end();
        return;
      }
      const running = requireRunning(this.opts.lookup(target.sandboxId));
      const tunnel = await openTunnel(running.socketPath, target.port);
      try {
        const headers = upstreamHeaders(req, {
          stripAuthorization: access.stripAuthorization,
          upgrade: false,
        });
        proxyHttp(req, res, tunnel, headers, requestId);
      } catch (err) {
        tunnel.destroy();
        throw err;
      }
    } catch (err) {
      req.resume();
      sendError(res, toGatewayError(err), requestId);
    }
  }

  async upgrade(req: IncomingMessage, socket: Duplex, head: Buffer, target: PortHost): Promise<void> {
    const requestId = requestIdFor(req);
    socket.on('error', () => socket.destroy());
    try {
      const access = await this.#access(req, target);
      if (access.kind === 'redirect')
        throw errors.badRequest('Port links are for page loads, not WebSockets');
      const running = requireRunning(this.opts.lookup(target.sandboxId));
      const tunnel = await openTunnel(running.socketPath, target.port);
      if (socket.destroyed) {
        tunnel.destroy();
        return;
      }
      try {
        const headers = upstreamHeaders(req, {
          stripAuthorization: access.stripAuthorization,
          upgrade: true,
        });
        proxyUpgrade(req, socket, head, tunnel, headers, requestId);
      } catch (err) {
        tunnel.destroy();
        throw err;
      }
    } catch (err) {
      writeRawError(socket, toGatewayError(err), requestId);
    }
  }
}

function toGatewayError(err: unknown): GatewayError {
  return err instanceof GatewayError ? err : errors.agentUnavailable();
}

/** A host name served on the engine's port by something other than Fastify (issue 13). */
export interface NamedHost {
  request(req: IncomingMessage, res: ServerResponse): void;
  upgrade?(req: IncomingMessage, socket: Duplex, head: Buffer): void;
}

/**
 * Put port hosts in front of a Node server whose 'request' listener is the app (Fastify): requests
 * for a port host go to the sandbox, requests `named` claims (the agent and frames hosts under a
 * public URL) to their handler, every other request to the app as before.
 */
export function installPortHosts(
  server: Server,
  hosts: PortHosts,
  named: (req: IncomingMessage) => NamedHost | null = () => null,
): void {
  type Listener = (req: IncomingMessage, res: ServerResponse) => void;
  const app = server.listeners('request') as Listener[];
  server.removeAllListeners('request');
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    const own = named(req);
    if (own) return own.request(req, res);
    const target = hosts.match(req);
    if (target === null) {
      for (const l of app) l.call(server, req, res);
    } else if (target instanceof GatewayError) {
      req.resume();
      sendError(res, target, requestIdFor(req));
    } else {
      void hosts.handle(req, res, target);
    }
  });
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const own = named(req);
    const target = own ? null : hosts.match(req);
    if (own?.upgrade) own.upgrade(req, socket, head);
    else if (target instanceof GatewayError) writeRawError(socket, target, requestIdFor(req));
    else if (target !== null) void hosts.upgrade(req, socket, head, target);
    else if (own || server.listenerCount('upgrade') === 1)
      writeRawError(
        socket,
        new GatewayError(404, 'NOT_FOUND', 'No WebSocket endpoint here'),
        requestIdFor(req),
      );
  });
}
