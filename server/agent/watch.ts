/**
 * WebSocket /files/watch (JS SDK `watchFiles`): the client sends `{"action":"watch","path":...}`,
 * the agent answers `{"type":"change","path","event":"created|modified|deleted","timestamp"}` for
 * every change below that directory, de-duplicated within 50 ms and paced like every other stream.
 */
import { existsSync, statSync, watch, type FSWatcher } from 'node:fs';
import { posix } from 'node:path';
import type { WebSocket } from 'ws';
import { realPath } from './config.ts';
import { checkedApiPath, isPseudoPath, resolvedReal } from './fs-guard.ts';
import { AgentError, nowIso } from './http.ts';
import { FramePacer } from './pacer.ts';
import type { AgentState } from './state.ts';

const DEDUPE_MS = 50;
/** Placeholder while the path is being checked, so a second `watch` frame is ignored. */
const PENDING = { close: () => undefined } as unknown as FSWatcher;

export function handleFilesWatch(ws: WebSocket, state: AgentState): void {
  const pacer = new FramePacer(ws);
  let watcher: FSWatcher | null = null;
  const recent = new Map<string, number>();
  const fail = (message: string, code: string) => {
    pacer.send({ type: 'error', error: message, code, timestamp: nowIso() });
    void pacer.flushed().then(() => ws.close(1000));
  };
  ws.on('message', (raw) => {
    if (watcher) return;
    let msg: { action?: unknown; type?: unknown; path?: unknown };
    try {
      msg = JSON.parse(String(raw)) as typeof msg;
    } catch {
      return fail('Frame is not valid JSON', 'INVALID_JSON');
    }
    const path = typeof msg.path === 'string' ? msg.path : state.cfg.workdir;
    if ((msg.action ?? msg.type) !== 'watch')
      return fail('Send {"action":"watch","path":"/workspace"}', 'INVALID_REQUEST');
    let base: string;
    try {
      base = checkedApiPath(path);
    } catch (err) {
      return fail((err as AgentError).message, (err as AgentError).code);
    }
    watcher = PENDING;
    void resolvedReal(state.cfg, base).then(
      (real) => start(base, real),
      (err: unknown) => {
        watcher = null;
        if (err instanceof AgentError) fail(err.message, err.code);
        else fail(`Directory not found: ${base}`, 'DIRECTORY_NOT_FOUND');
      },
    );
  });
  const start = (base: string, real: string) => {
    if (ws.readyState !== ws.OPEN) return;
    let isDir = false;
    try {
      isDir = statSync(real).isDirectory();
    } catch {
      /* missing */
    }
    if (!isDir) return fail(`Directory not found: ${base}`, 'DIRECTORY_NOT_FOUND');
    try {
      watcher = watch(real, { recursive: true }, (kind, name) => {
        if (!name) return;
        const rel = name.toString();
        const full = posix.join(base, rel);
        if (isPseudoPath(full)) return; // watching / would report /dev's device nodes
        const event =
          kind === 'change' ? 'modified' : existsSync(realPath(state.cfg, full)) ? 'created' : 'deleted';
        const key = `${event}:${full}`;
        const now = Date.now();
        if ((recent.get(key) ?? 0) > now - DEDUPE_MS) return;
        recent.set(key, now);
        if (recent.size > 1000) recent.clear();
        if (!pacer.congested) pacer.send({ type: 'change', path: full, event, timestamp: nowIso() });
      });
      watcher.on('error', () => fail('Watching stopped', 'FILE_OPERATION_FAILED'));
    } catch (err) {
      fail(`Cannot watch ${base}: ${(err as Error).message}`, 'FILE_OPERATION_FAILED');
    }
  };
  ws.on('close', () => watcher?.close());
}
