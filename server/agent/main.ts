/**
 * Hopdeck VM agent: runs inside each sandbox and speaks the HopX agent API over a unix socket.
 * Bundled to dist/agent/agent.cjs (Node builtins + ws + zod; a sandbox sees no node_modules) and
 * started through dist/agent/agent.mjs, which runs the bundle from V8's code cache
 * (server/runtime/agent-loader.mjs).
 *   node agent.mjs --config <file>        (written by the runtime)
 *   node agent.mjs --socket <path> [--root <dir>] [--warm-python]
 */
import { chmodSync, mkdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { dirname } from 'node:path';
import { loadConfig, realPath } from './config.ts';
import type { Ctx } from './http.ts';
import { AgentState } from './state.ts';

// agent.log lives on the host's disk, outside the sandbox's disk cap, and kernel stderr is user
// controlled: keep at most LOG_CAP bytes of it.
const LOG_CAP = 4 * 1024 * 1024;
let logged = 0;
const log = (msg: string) => {
  if (logged > LOG_CAP) return;
  const line = `${new Date().toISOString()} ${msg.slice(0, 4000)}\n`;
  logged += line.length;
  process.stderr.write(logged > LOG_CAP ? 'agent log capped; further messages dropped\n' : line);
};
const cfg = loadConfig(process.argv.slice(2), process.env);
for (const dir of ['/workspace', '/home/user', '/tmp']) mkdirSync(realPath(cfg, dir), { recursive: true });
const state = new AgentState(cfg, log);
// The Python runner starts first: its IPython import (the longest part of a boot) runs while the
// agent evaluates the rest of its code (routes, zod schemas, ws) and sets up its server. Only
// config, state and the kernel are imported statically; the rest is imported below.
const kernelBoot = cfg.warmPython ? startKernel() : null;

/** The rest of the agent, evaluated only once the runner has been started. */
function loadServer() {
  return Promise.all([
    import('ws'),
    import('./http.ts'),
    import('./reaper.ts'),
    import('./runner.ts'),
    import('./routes/commands.ts'),
    import('./routes/execute.ts'),
    import('./routes/files.ts'),
    import('./routes/system.ts'),
    import('./routes/workspace.ts'),
    import('./stream.ts'),
    import('./terminal.ts'),
    import('./watch.ts'),
    import('./warmup.ts'),
  ]);
}

/**
 * Every request is answered within a bound. Runs (/execute*, /commands/*) have their own timeout
 * (and a kill); a kernel restart is bounded by the kernel. Everything else gets a deadline for its
 * answer to start: uploads get longer, for the body to arrive.
 */
const DEADLINE_MS = 30_000;
const UPLOAD_DEADLINE_MS = 120_000;
function deadlineFor(method: string, path: string): number | null {
  if (method === 'POST' && /^\/(execute|commands|kernel)(\/|$)/.test(path)) return null;
  return path === '/files/upload' ? UPLOAD_DEADLINE_MS : DEADLINE_MS;
}

/**
 * With a warm kernel the socket appears once the runner is ready (or failed, or after
 * LISTEN_AFTER_MS): the runtime already waits for the socket, so "the agent answers" then also
 * means "Python is ready", and nobody polls `GET /kernel` dozens of times per boot (each poll
 * cost the engine and the agent CPU while the runner was importing IPython).
 */
const LISTEN_AFTER_MS = 10_000;

function startKernel(): Promise<void> {
  // performance.now() counts from the process's start: the agent's own share of a boot.
  return state.kernel.ensure().then(
    () => log(`kernel ready (${Math.round(performance.now())} ms after the agent's start)`),
    (err: unknown) => log(`kernel failed to start: ${String(err)}`),
  );
}

function serve([
  { WebSocketServer },
  { AgentError, Router, requestIdOf, sendError },
  { orphanRuleApplies },
  { configureRunner },
  { commandRoutes },
  { executeRoutes },
  { fileRoutes },
  { systemRoutes },
  { workspaceRoutes },
  { handleExecuteStream },
  { handleTerminal },
  { handleFilesWatch },
  { warmUp },
]: Awaited<ReturnType<typeof loadServer>>): void {
  configureRunner({ orphans: orphanRuleApplies(cfg.fsRoot) });

  const router = new Router();
  systemRoutes(router, state);
  executeRoutes(router, state);
  commandRoutes(router, state);
  fileRoutes(router, state);

  const server = createServer((req, res) => {
    state.metrics.requests += 1;
    const ctx: Ctx = {
      req,
      res,
      url: new URL(req.url ?? '/', 'http://agent'),
      params: {},
      requestId: requestIdOf(req),
    };
    let expired = false;
    const fail = (err: unknown) => {
      if (expired) return;
      state.metrics.errors += 1;
      const e =
        err instanceof AgentError ? err : new AgentError(500, 'INTERNAL_ERROR', 'Internal agent error');
      if (!(err instanceof AgentError))
        log(`error on ${req.method} ${ctx.url.pathname}: ${(err as Error)?.stack ?? String(err)}`);
      if (res.headersSent) res.destroy();
      else sendError(ctx, e);
    };
    const found = router.match(req.method ?? 'GET', ctx.url.pathname);
    if (found === null)
      return fail(new AgentError(404, 'NOT_FOUND', `No such endpoint: ${req.method} ${ctx.url.pathname}`));
    if (found === 'method')
      return fail(
        new AgentError(405, 'METHOD_NOT_ALLOWED', `Method ${req.method} not allowed on ${ctx.url.pathname}`),
      );
    ctx.params = found.params;
    const bound = deadlineFor(req.method ?? 'GET', ctx.url.pathname);
    if (bound !== null) {
      const timer = setTimeout(() => {
        if (res.headersSent) return;
        fail(
          new AgentError(
            408,
            'OPERATION_TIMEOUT',
            `${req.method} ${ctx.url.pathname} did not finish within ${bound / 1000} s; gave up waiting`,
          ),
        );
        expired = true;
        // A body still arriving is not read any more: close the connection once the answer is out
        // (a request without a body keeps its keep-alive connection).
        const hasBody =
          Number(req.headers['content-length'] ?? 0) > 0 || req.headers['transfer-encoding'] !== undefined;
        if (hasBody && !req.complete) res.once('finish', () => req.socket.destroy());
      }, bound);
      res.once('close', () => clearTimeout(timer));
      res.once('finish', () => clearTimeout(timer));
    }
    try {
      Promise.resolve(found.handler(ctx)).catch(fail);
    } catch (err) {
      fail(err);
    }
  });
  workspaceRoutes(router, server, state);
  server.requestTimeout = 0;
  server.keepAliveTimeout = 5000;

  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: 8 * 1024 * 1024,
    // Each compressed message is inflated in its own callback on the client: a reader that re-arms
    // `once('message')` per frame (the JS SDK) cannot miss one. See pacer.ts.
    perMessageDeflate: { threshold: 0 },
  });
  server.on('upgrade', (req, socket, head) => {
    const url = new URL(req.url ?? '/', 'http://agent');
    const path = url.pathname;
    if (path === '/execute/stream' || path === '/stream') {
      wss.handleUpgrade(req, socket, head, (ws) => handleExecuteStream(ws, state));
    } else if (path === '/commands/stream') {
      wss.handleUpgrade(req, socket, head, (ws) => handleExecuteStream(ws, state, 'command'));
    } else if (path === '/files/watch') {
      wss.handleUpgrade(req, socket, head, (ws) => handleFilesWatch(ws, state));
    } else if (path === '/terminal') {
      wss.handleUpgrade(req, socket, head, (ws) => handleTerminal(ws, state, url));
    } else {
      socket.end('HTTP/1.1 404 Not Found\r\nconnection: close\r\n\r\n');
    }
  });

  function listen(): void {
    mkdirSync(dirname(cfg.socketPath), { recursive: true });
    rmSync(cfg.socketPath, { force: true });
    server.listen(cfg.socketPath, () => {
      chmodSync(cfg.socketPath, 0o600);
      log(`agent listening on ${cfg.socketPath} (${Math.round(performance.now())} ms after start)`);
    });
  }

  if (kernelBoot) {
    const bound = new Promise<void>((resolve) => setTimeout(resolve, LISTEN_AFTER_MS).unref());
    // A ready runner: the execute path runs once on a private socket first (warmup.ts).
    void Promise.race([kernelBoot, bound])
      .then(() => warmUp(server, cfg.socketPath, state, log))
      .then(listen);
  } else listen();

  const shutdown = () => {
    state.kernel.close();
    for (const p of state.processes.values()) p.abort.abort();
    server.close();
    setTimeout(() => process.exit(0), 200).unref();
  };
  process.on('SIGTERM', shutdown);
  process.on('SIGINT', shutdown);
}

loadServer().then(serve, (err: unknown) => {
  log(`agent failed to start: ${(err as Error)?.stack ?? String(err)}`);
  process.exit(1);
});
