/** Network probes for the runtime tests: connections from inside a sandbox, slirp4netns processes. */
import { readdirSync, readFileSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { slirpSocket } from '../network.ts';
import { sh } from './helpers.ts';

/** Open a TCP connection from inside the sandbox: "connected <first line>" or "failed <reason>". */
export async function connectFromSandbox(socket: string, host: string, port: number): Promise<string> {
  const code = [
    'import socket',
    'try:',
    `    s = socket.create_connection((${JSON.stringify(host)}, ${port}), timeout=3)`,
    '    print("connected", s.recv(100).decode().strip())',
    'except OSError as e:',
    '    print("failed", e.strerror or type(e).__name__)',
  ].join('\n');
  const r = await sh(socket, `/usr/bin/python3 -c '${code}'`);
  return r.stdout.trim();
}

/** Pids of the slirp4netns processes serving the sandbox in `dir`, found independently of the runtime's own scan. */
export function slirpProcesses(dir: string): number[] {
  const mark = slirpSocket(dir);
  const pids: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const cmd = readFileSync(`/proc/${name}/cmdline`, 'utf8');
      const state = /^State:\s+(\w)/m.exec(readFileSync(`/proc/${name}/status`, 'utf8'))?.[1];
      if (cmd.startsWith('slirp4netns\0') && cmd.includes(mark) && state !== 'Z') pids.push(Number(name));
    } catch {
      /* exited meanwhile */
    }
  }
  return pids.sort((a, b) => a - b);
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer().listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
    srv.on('error', reject);
  });
}

/** Ask a sandbox's slirp4netns (its JSON API socket) to forward a free 127.0.0.1 port to `guestPort`. */
export async function addHostForward(apiSocket: string, guestPort: number): Promise<number> {
  const hostPort = await freePort();
  const request = {
    execute: 'add_hostfwd',
    arguments: { proto: 'tcp', host_addr: '127.0.0.1', host_port: hostPort, guest_port: guestPort },
  };
  const answer = await new Promise<string>((resolve, reject) => {
    const c = connect(apiSocket, () => c.end(JSON.stringify(request)));
    let text = '';
    c.setEncoding('utf8').on('data', (d: string) => (text += d));
    c.on('end', () => resolve(text));
    c.on('error', reject);
  });
  if (!answer.includes('"return"')) throw new Error(`slirp4netns refused the forward: ${answer}`);
  return hostPort;
}

/** GET a path over plain HTTP, retrying for up to 10 s while the server inside is still starting. */
export async function fetchOverTcp(host: string, port: number, path: string): Promise<string> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    try {
      const res = await fetch(`http://${host}:${port}${path}`, { signal: AbortSignal.timeout(2000) });
      return await res.text();
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}
