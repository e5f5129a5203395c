/**
 * Ports of the sandbox, for the engine's port URLs (decision 0011):
 * - `GET /ports`: TCP ports listening inside the sandbox's network namespace (/proc/net/tcp{,6}),
 *   each with the process that owns it. The Python kernel's own ZeroMQ ports are left out.
 * - `CONNECT 127.0.0.1:<port>`: a raw byte pipe to that port on the sandbox's loopback. The engine
 *   sends its HTTP or WebSocket request through it; the sandbox's network stays unreachable from
 *   the host otherwise. Only loopback targets are accepted, so the agent is no general proxy.
 */
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import type { IncomingMessage, Server } from 'node:http';
import { connect, type Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { nowIso, sendJson, type Router } from '../http.ts';
import type { AgentState } from '../state.ts';

export interface ListeningPort {
  port: number;
  addresses: string[];
  pid: number | null;
  process: string | null;
}

const MAX_TUNNELS = 256;
const CONNECT_TIMEOUT_MS = 5000;
const KERNEL_MARKERS = ['ipykernel_launcher', 'bridge.py'];

function hexToV4(hex: string): string {
  const n = Number.parseInt(hex, 16);
  return [n & 255, (n >>> 8) & 255, (n >>> 16) & 255, n >>> 24].join('.');
}

function hexToV6(hex: string): string {
  const words: string[] = [];
  for (let i = 0; i < 32; i += 8) {
    const w = hex.slice(i, i + 8);
    // each 32-bit word is in host (little-endian) order
    const b = w.match(/../g)?.reverse().join('') ?? '00000000';
    words.push(b.slice(0, 4), b.slice(4, 8));
  }
  const text = words.map((w) => Number.parseInt(w, 16).toString(16)).join(':');
  if (text === '0:0:0:0:0:0:0:0') return '::';
  if (text === '0:0:0:0:0:0:0:1') return '::1';
  return text;
}

/** Listening sockets (state 0A) of one /proc/net/tcp or tcp6 file: port, address and inode. */
export function parseProcNetTcp(
  text: string,
  v6: boolean,
): { port: number; address: string; inode: string }[] {
  const out: { port: number; address: string; inode: string }[] = [];
  for (const line of text.split('\n').slice(1)) {
    const f = line.trim().split(/\s+/);
    if (f.length < 10 || f[3] !== '0A') continue;
    const [addrHex, portHex] = (f[1] ?? '').split(':');
    const port = Number.parseInt(portHex ?? '', 16);
    if (!addrHex || !Number.isInteger(port) || port < 1 || port > 65535) continue;
    out.push({ port, address: v6 ? hexToV6(addrHex) : hexToV4(addrHex), inode: f[9] ?? '' });
  }
  return out;
}

interface Owner {
  pid: number;
  ppid: number;
  command: string;
}

/** socket inode → owning process, for every process we can see (inside a sandbox: its own). */
function socketOwners(): Map<string, Owner> {
  const owners = new Map<string, Owner>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const fds = readdirSync(`/proc/${entry}/fd`);
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      const command = readFileSync(`/proc/${entry}/cmdline`, 'utf8').replace(/\0/g, ' ').trim();
      for (const fd of fds) {
        let target: string;
        try {
          target = readlinkSync(`/proc/${entry}/fd/${fd}`);
        } catch {
          continue;
        }
        const m = /^socket:\[(\d+)\]$/.exec(target);
        if (m?.[1]) owners.set(m[1], { pid: Number(entry), ppid, command: command.slice(0, 300) });
      }
    } catch {
      /* exited meanwhile, or not ours */
    }
  }
  return owners;
}

/** True when pid descends from the agent (used where /proc shows the whole host). */
function descendsFromAgent(pid: number, owners: Map<number, number>): boolean {
  for (let p = pid, hops = 0; p > 1 && hops < 64; hops++) {
    if (p === process.pid) return true;
    p = owners.get(p) ?? 0;
  }
  return false;
}

export function listListeningPorts(state: AgentState): ListeningPort[] {
  const sockets = [
    ...parseProcNetTcp(readOr('/proc/net/tcp'), false),
    ...parseProcNetTcp(readOr('/proc/net/tcp6'), true),
  ];
  const owners = socketOwners();
  const parents = new Map([...owners.values()].map((o) => [o.pid, o.ppid]));
  // Inside bwrap the pid namespace shows only the sandbox; with isolation 'none' /proc is the host's.
  const hostProc = state.cfg.fsRoot !== '/';
  const byPort = new Map<number, ListeningPort>();
  for (const s of sockets) {
    const owner = owners.get(s.inode) ?? null;
    if (!owner) continue; // not a process of this sandbox
    if (KERNEL_MARKERS.some((k) => owner.command.includes(k))) continue;
    if (hostProc && !descendsFromAgent(owner.pid, parents)) continue;
    const entry = byPort.get(s.port) ?? {
      port: s.port,
      addresses: [],
      pid: owner.pid,
      process: owner.command,
    };
    if (!entry.addresses.includes(s.address)) entry.addresses.push(s.address);
    byPort.set(s.port, entry);
  }
  return [...byPort.values()].sort((a, b) => a.port - b.port);
}

function readOr(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}

/** `127.0.0.1:8000` or `localhost:8000` → 8000; anything else → null. */
export function tunnelTarget(authority: string | undefined): number | null {
  const m = /^(?:127\.0\.0\.1|localhost):([1-9]\d{0,4})$/.exec(authority ?? '');
  const port = m?.[1] ? Number(m[1]) : NaN;
  return Number.isInteger(port) && port <= 65535 ? port : null;
}

function refuse(socket: Duplex, status: number, code: string, message: string): void {
  const body = JSON.stringify({ error: message, message, code, timestamp: nowIso() });
  socket.end(
    `HTTP/1.1 ${status} ${code}\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
  );
}

function dial(port: number, host: string): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = connect({ host, port, timeout: CONNECT_TIMEOUT_MS });
    s.once('connect', () => {
      s.setTimeout(0);
      s.setNoDelay(true); // small interactive writes (WebSocket frames) go out at once
      resolve(s);
    });
    s.once('timeout', () => s.destroy(new Error('connect timed out')));
    s.once('error', reject);
  });
}

let tunnels = 0;

export function handlePortTunnel(req: IncomingMessage, socket: Duplex, head: Buffer): void {
  const port = tunnelTarget(req.url);
  socket.on('error', () => socket.destroy());
  if (port === null) return refuse(socket, 400, 'INVALID_PORT', 'CONNECT target must be 127.0.0.1:<1-65535>');
  if (tunnels >= MAX_TUNNELS)
    return refuse(socket, 503, 'TOO_MANY_TUNNELS', 'Too many open port connections');
  tunnels += 1;
  let released = false;
  const release = () => {
    if (!released) tunnels -= 1;
    released = true;
  };
  dial(port, '127.0.0.1')
    .catch(() => dial(port, '::1'))
    .then(
      (upstream) => {
        if (socket.destroyed) {
          upstream.destroy();
          return release();
        }
        socket.write('HTTP/1.1 200 Connection Established\r\n\r\n');
        if (head.length > 0) upstream.write(head);
        socket.pipe(upstream).pipe(socket);
        const end = () => {
          release();
          upstream.destroy();
          socket.destroy();
        };
        upstream.on('error', end).on('close', end);
        socket.on('close', end);
      },
      () => {
        release();
        refuse(socket, 502, 'PORT_NOT_LISTENING', `Nothing is listening on port ${port} in the sandbox`);
      },
    );
}

export function portRoutes(router: Router, server: Server, state: AgentState): void {
  router.on('GET', '/ports', (ctx) => {
    const ports = listListeningPorts(state);
    sendJson(ctx, 200, { ports, count: ports.length, timestamp: nowIso() });
  });
  server.on('connect', handlePortTunnel);
}
