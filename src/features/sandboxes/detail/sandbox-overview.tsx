import { useQuery } from '@tanstack/react-query';
import { Link, getRouteApi } from '@tanstack/react-router';
import type { ReactNode } from 'react';
import { sandboxQueryOptions } from '@/api/sandboxes';
import { Card, CardContent, CardHeader, CardTitle } from '@/components/ui/card';
import { CopyButton } from '@/components/ui/copy-button';
import { formatDuration, formatExact, formatMemory } from '@/lib/format';
import { Countdown, RelativeTime } from '../time-cells';
import { TimeoutCard } from './timeout-card';
import { TokenCard } from './token-card';

const route = getRouteApi('/sandboxes/$id/');

function Field({ label, children, mono }: { label: string; children: ReactNode; mono?: boolean }) {
  return (
    <div className="grid grid-cols-[7rem_1fr] items-baseline gap-2 py-1.5 text-sm sm:grid-cols-[9rem_1fr]">
      <dt className="text-muted-foreground">{label}</dt>
      <dd className={mono ? 'min-w-0 font-mono text-xs break-all' : 'min-w-0 break-words'}>{children}</dd>
    </div>
  );
}

function Copyable({ value, label }: { value: string; label: string }) {
  if (!value) return <span className="text-muted-foreground">—</span>;
  return (
    <span className="inline-flex items-center gap-1">
      <span className="break-all">{value}</span>
      <CopyButton value={value} label={`Copy ${label}`} className="size-6" />
    </span>
  );
}

export function SandboxOverview() {
  const { id } = route.useParams();
  const { data: s } = useQuery(sandboxQueryOptions(id));
  if (!s) return null;
  return (
    <div className="grid gap-4 lg:grid-cols-2">
      <Card>
        <CardHeader>
          <CardTitle>Details</CardTitle>
        </CardHeader>
        <CardContent>
          <dl className="divide-y">
            <Field label="ID" mono>
              <Copyable value={s.id} label="sandbox id" />
            </Field>
            <Field label="Template">
              <Link
                to="/templates/$name"
                params={{ name: s.template_name }}
                className="text-primary hover:underline"
              >
                {s.template_name}
              </Link>{' '}
              <span className="text-xs text-muted-foreground">({s.template_id})</span>
            </Field>
            {s.backend && s.backend !== 'local' && <Field label="Backend">{s.backend} (upstream)</Field>}
            <Field label="Region">{s.region}</Field>
            <Field label="Node" mono>
              {s.node_id}
            </Field>
            <Field label="Organization">{s.organization_id}</Field>
            <Field label="Mode">{s.live_mode ? 'live' : 'test'}</Field>
            <Field label="Internet access">{s.internet_access ? 'allowed' : 'blocked'}</Field>
            <Field label="Isolation">{s.isolation ?? 'not reported'}</Field>
            {s.error_message && <Field label="Error">{s.error_message}</Field>}
          </dl>
        </CardContent>
      </Card>
      <div className="space-y-4">
        <Card>
          <CardHeader>
            <CardTitle>Resources</CardTitle>
          </CardHeader>
          <CardContent className="grid grid-cols-3 gap-3 text-center">
            {[
              ['vCPU', String(s.resources.vcpu)],
              ['Memory', formatMemory(s.resources.memory_mb)],
              ['Disk', formatMemory(s.resources.disk_mb)],
            ].map(([k, v]) => (
              <div key={k} className="rounded-lg bg-muted p-3">
                <p className="text-lg font-semibold">{v}</p>
                <p className="text-xs text-muted-foreground">{k}</p>
              </div>
            ))}
          </CardContent>
        </Card>
        <Card>
          <CardHeader>
            <CardTitle>Timestamps</CardTitle>
          </CardHeader>
          <CardContent>
            <dl className="divide-y">
              <Field label="Created">
                <RelativeTime iso={s.created_at} />{' '}
                <span className="text-xs text-muted-foreground">{formatExact(s.created_at)}</span>
              </Field>
              <Field label="Updated">
                <RelativeTime iso={s.updated_at} />
              </Field>
              <Field label="Timeout">{formatDuration(s.timeout_seconds)}</Field>
              <Field label="Expires">
                <Countdown expiresAt={s.expires_at} />{' '}
                <span className="text-xs text-muted-foreground">{formatExact(s.expires_at)}</span>
              </Field>
            </dl>
          </CardContent>
        </Card>
      </div>
      <Card>
        <CardHeader>
          <CardTitle>Connection</CardTitle>
        </CardHeader>
        <CardContent>
          <dl className="divide-y">
            <Field label="Public host" mono>
              <Copyable value={s.public_host} label="public host" />
            </Field>
            {/* HopX has three addresses; on this engine they are usually one. Each is shown once. */}
            {s.direct_url && s.direct_url !== s.public_host && (
              <Field label="Direct URL" mono>
                <Copyable value={s.direct_url} label="direct URL" />
              </Field>
            )}
            {s.preview_url && s.preview_url !== s.public_host && s.preview_url !== s.direct_url && (
              <Field label="Preview URL" mono>
                <Copyable value={s.preview_url} label="preview URL" />
              </Field>
            )}
          </dl>
        </CardContent>
      </Card>
      <div className="space-y-4">
        <TokenCard sandbox={s} />
        <TimeoutCard sandbox={s} />
      </div>
    </div>
  );
}
