import { useQuery } from '@tanstack/react-query';
import { ShieldAlert } from 'lucide-react';
import type { ReactNode } from 'react';
import { healthQueryOptions } from '@/api/health';
import { sessionQueryOptions } from '@/api/session';
import { PageHeader } from '@/components/layout/page-header';
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from '@/components/ui/card';
import { ErrorAlert } from '@/components/ui/error-alert';
import { Skeleton } from '@/components/ui/skeleton';
import { ApiKeysCard } from './api-keys-card';
import { BackendsCard } from './backends-card';

function Row({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div className="grid grid-cols-[10rem_1fr] gap-2 py-1.5 text-sm">
      <dt className="text-muted-foreground">{label}</dt>
      <dd className="min-w-0 break-words">{children}</dd>
    </div>
  );
}

function formatUptime(s: number): string {
  const d = Math.floor(s / 86400);
  const h = Math.floor((s % 86400) / 3600);
  const m = Math.floor((s % 3600) / 60);
  return d ? `${d} d ${h} h` : h ? `${h} h ${m} min` : `${m} min`;
}

export function SettingsPage() {
  const health = useQuery(healthQueryOptions());
  const session = useQuery(sessionQueryOptions());
  const h = health.data;
  return (
    <div className="space-y-6">
      <PageHeader
        title="Settings"
        description="The engine this dashboard talks to, and the keys that can use it."
      />
      <div className="grid gap-4 lg:grid-cols-2">
        <Card>
          <CardHeader>
            <CardTitle>Engine connection</CardTitle>
            <CardDescription>
              The dashboard talks to the engine on its own origin; the engine holds your API key.
            </CardDescription>
          </CardHeader>
          <CardContent>
            <dl className="divide-y">
              <Row label="Engine URL">
                <span className="font-mono text-xs">{window.location.origin}</span>
              </Row>
              <Row label="Signed in with">
                {session.data
                  ? `${session.data.key_name ?? 'API key'}${session.data.key_prefix ? ` (${session.data.key_prefix}…)` : ''}`
                  : '—'}
              </Row>
              <Row label="Status">
                {health.isError ? (
                  <span className="text-destructive">unreachable</span>
                ) : h ? (
                  <span className="text-success">{h.status}</span>
                ) : (
                  '…'
                )}
              </Row>
            </dl>
          </CardContent>
        </Card>
        <Card>
          <CardHeader>
            <CardTitle>Health</CardTitle>
            <CardDescription>From GET /health, refreshed every few seconds.</CardDescription>
          </CardHeader>
          <CardContent>
            {health.isError && <ErrorAlert error={health.error} title="The engine did not answer" />}
            {health.isPending && <Skeleton className="h-40" />}
            {h && (
              <dl className="divide-y">
                <Row label="Version">{h.version}</Row>
                <Row label="Mode">{h.mode === 'upstream' ? `upstream → ${h.upstream ?? '?'}` : 'local'}</Row>
                <Row label="Isolation">
                  {h.isolation === 'none' ? (
                    <span className="inline-flex items-center gap-1 text-warning">
                      <ShieldAlert className="size-4" aria-hidden /> none: sandboxes are not isolated
                    </span>
                  ) : (
                    h.isolation
                  )}
                </Row>
                <Row label="cgroups">
                  {h.cgroups === 'none' ? 'none (limits through rlimits only)' : h.cgroups}
                </Row>
                <Row label="Sandbox network">
                  {h.network === 'host' ? (
                    <span className="inline-flex items-center gap-1 text-warning">
                      <ShieldAlert className="size-4" aria-hidden /> host: sandboxes with internet access
                      share the host's network
                    </span>
                  ) : (
                    'private (slirp4netns)'
                  )}
                </Row>
                <Row label="Sandboxes">
                  {h.sandboxes.running} running of {h.sandboxes.total}
                </Row>
                <Row label="Frames origin">
                  <span className="font-mono text-xs">{h.frames_origin}</span>
                </Row>
                <Row label="Uptime">{formatUptime(h.uptime_seconds)}</Row>
              </dl>
            )}
          </CardContent>
        </Card>
      </div>
      <BackendsCard />
      <ApiKeysCard />
    </div>
  );
}
