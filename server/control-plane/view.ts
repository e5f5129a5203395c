/** How sandbox records look on the wire (the HopX Sandbox object). */
import type { Sandbox } from '../../contract/schemas.ts';
import type { SandboxRecord } from '../store/sandboxes.ts';

export const ORGANIZATION_ID = 1;

/** The host name clients reach gateways on: the listen address, or loopback for a wildcard. */
export function publicHostName(listenHost: string): string {
  if (listenHost === '0.0.0.0' || listenHost === '::' || listenHost === '') return '127.0.0.1';
  return listenHost.includes(':') ? `[${listenHost}]` : listenHost;
}

/** How a sandbox's URLs are built (public-url.ts). */
export interface SandboxUrls {
  agentUrl(sandboxId: string, gatewayPort: number | null | undefined): string;
  portUrl(sandboxId: string, port: number): string;
}

export function toApiSandbox(
  r: SandboxRecord,
  urls: SandboxUrls,
  token?: { token: string; expiresAt: string },
): Sandbox {
  const publicHost = r.port ? urls.agentUrl(r.id, r.port) : '';
  const s: Sandbox = {
    id: r.id,
    object: 'sandbox',
    status: r.status,
    template_id: r.template_id,
    template_name: r.template_name,
    organization_id: ORGANIZATION_ID,
    node_id: 'local',
    region: r.region,
    public_host: publicHost,
    direct_url: publicHost,
    // preview_url: the URL of port 8000 (decision 0011).
    preview_url: urls.portUrl(r.id, 8000),
    resources: r.resources,
    internet_access: r.internet_access,
    live_mode: true,
    timeout_seconds: r.timeout_seconds,
    expires_at: r.expires_at,
    created_at: r.created_at,
    updated_at: r.updated_at,
    isolation: r.isolation,
    error_message: r.error_message,
    backend: 'local',
  };
  if (token) {
    s.auth_token = token.token;
    s.token_expires_at = token.expiresAt;
  }
  return s;
}
