/**
 * A real sandbox for the gateway's integration tests: booted by the real runtime (bubblewrap
 * isolation, the built agent bundle from dist/agent, which the integration global setup builds) on
 * a temporary data directory. Pause really freezes it, so a test proves the gateway answers a
 * paused sandbox without waiting on its agent.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createRuntime } from '../../runtime/index.ts';

export interface RealSandbox {
  socketPath: string;
  pause(): Promise<void>;
  resume(): Promise<void>;
  close(): Promise<void>;
}

export async function startRealSandbox(sandboxId: string): Promise<RealSandbox> {
  const dataDir = mkdtempSync(join(tmpdir(), 'hopdeck-gw-it-'));
  const runtime = await createRuntime({ dataDir, isolation: 'bwrap', agentDir: resolve('dist/agent') });
  const close = async () => {
    await runtime.destroy(sandboxId).catch(() => undefined);
    await runtime.close();
    rmSync(dataDir, { recursive: true, force: true });
  };
  try {
    const running = await runtime.start({
      id: sandboxId,
      template: 'code-interpreter',
      resources: { vcpu: 1, memory_mb: 512, disk_mb: 128 },
      internetAccess: false,
      env: {},
      warmPython: true,
    });
    return {
      socketPath: running.socketPath,
      pause: () => runtime.pause(sandboxId),
      resume: () => runtime.resume(sandboxId),
      close,
    };
  } catch (err) {
    await close();
    throw err;
  }
}
