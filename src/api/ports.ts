/**
 * Ports of a sandbox (decision 0011): what listens inside, each served by the engine at
 * `http://<port>-<id>.localhost:<engine port>/`; `access_url` is a one-time link that signs the
 * browser in to that host.
 */
import { z } from 'zod';
import { request } from './client';

export const PORTS_POLL_MS = 3_000;

export const SandboxPort = z.object({
  port: z.number(),
  addresses: z.array(z.string()).default([]),
  process: z.string().nullable().default(null),
  url: z.string(),
  access_url: z.string(),
  access_expires_at: z.string(),
});
export type SandboxPort = z.infer<typeof SandboxPort>;
const PortList = z.object({ data: z.array(SandboxPort) });

export const portKeys = { list: (id: string) => ['sandbox-ports', id] as const };

export async function fetchPorts(id: string, signal?: AbortSignal): Promise<SandboxPort[]> {
  const r = await request(`/v1/sandboxes/${encodeURIComponent(id)}/ports`, { schema: PortList, signal });
  return r.data;
}

/** The URL and a fresh access link of any port, listening or not yet. */
export function fetchPort(id: string, port: number): Promise<SandboxPort> {
  return request(`/v1/sandboxes/${encodeURIComponent(id)}/ports/${port}`, { schema: SandboxPort });
}
