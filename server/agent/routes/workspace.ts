/**
 * The dashboard workspace's agent routes (decision 0011), registered with one call from main.ts:
 * metrics history (sampled from boot), listening ports with their CONNECT tunnel, and the log pipe.
 */
import type { Server } from 'node:http';
import type { Router } from '../http.ts';
import { openLogPipe } from '../log-pipe.ts';
import { MetricsHistory, metricsHistoryRoutes } from '../metrics-history.ts';
import type { AgentState } from '../state.ts';
import { portRoutes } from './ports.ts';

export function workspaceRoutes(router: Router, server: Server, state: AgentState): void {
  const history = new MetricsHistory(state);
  history.start();
  metricsHistoryRoutes(router, history);
  portRoutes(router, server, state);
  openLogPipe(state.cfg.socketPath, state.log);
}
