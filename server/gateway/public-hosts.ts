/**
 * Host names under a public URL (issue 13, decision 0013) that are not sandbox ports:
 * `7777-<sandbox id>.<host>` is the sandbox's agent, served by the gateway exactly as on its own
 * port (JWT, CORS, `?token=` for WebSockets); `frames.<host>` is the frames origin. Both share the
 * engine's one listening port; every other name goes on to the port hosts and then Fastify.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { parsePortHost, type NamedHost } from './ports-host.ts';

export interface AgentHosts {
  request(sandboxId: string, req: IncomingMessage, res: ServerResponse): void;
  upgrade(sandboxId: string, req: IncomingMessage, socket: Duplex, head: Buffer): void;
}

export interface PublicHostsOptions {
  /** The public host name (`hopdeck.example.com`). */
  suffix: string;
  /** The port number that names the agent (7777, as in HopX). */
  agentPort: number;
  agents: AgentHosts;
  /** `frames.<suffix>` and the frames app's request handler (Fastify's `routing`), if served here. */
  frames?: { host: string; handle(req: IncomingMessage, res: ServerResponse): void };
}

const hostName = (req: IncomingMessage) =>
  String(req.headers.host ?? '')
    .toLowerCase()
    .replace(/:\d{1,5}$/, '');

export function publicHosts(opts: PublicHostsOptions): (req: IncomingMessage) => NamedHost | null {
  return (req) => {
    const frames = opts.frames;
    if (frames && hostName(req) === frames.host) return { request: frames.handle };
    const target = parsePortHost(req.headers.host, opts.suffix);
    if (target === null || !('sandboxId' in target) || target.port !== opts.agentPort) return null;
    const id = target.sandboxId;
    return {
      request: (rq, res) => opts.agents.request(id, rq, res),
      upgrade: (rq, socket, head) => opts.agents.upgrade(id, rq, socket, head),
    };
  };
}
