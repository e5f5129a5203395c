/**
 * The Ports tab: every TCP port listening inside the sandbox, polled every 3 s, each served by the
 * engine at `http://<port>-<id>.localhost:<engine port>/` (HTTP and WebSocket). "Open" uses a
 * one-time link that signs this browser in to that port's host; the plain URL works with
 * `Authorization: Bearer <sandbox token>`. New ports are announced as they appear.
 */
import { useQuery } from '@tanstack/react-query';
import { ExternalLink } from 'lucide-react';
import { useEffect, useRef, useState } from 'react';
import { fetchPorts, PORTS_POLL_MS, portKeys } from '@/api/ports';
import { Badge } from '@/components/ui/badge';
import { Button } from '@/components/ui/button';
import { CopyButton } from '@/components/ui/copy-button';
import { ErrorAlert } from '@/components/ui/error-alert';
import { Skeleton } from '@/components/ui/skeleton';
import { SandboxOffline } from '../shared/sandbox-offline';
import { useWorkspaceSandbox } from '../shared/use-workspace-sandbox';
import { OpenPortForm } from './open-port-form';

export function PortsPage({ sandboxId }: { sandboxId: string }) {
  const { sandbox, running } = useWorkspaceSandbox(sandboxId);
  const ports = useQuery({
    queryKey: portKeys.list(sandboxId),
    queryFn: ({ signal }) => fetchPorts(sandboxId, signal),
    enabled: running,
    refetchInterval: PORTS_POLL_MS,
  });
  // Ports seen since the tab opened; those that appear later are marked new and announced.
  const known = useRef<Set<number> | null>(null);
  const [fresh, setFresh] = useState<number[]>([]);
  useEffect(() => {
    if (!ports.data) return;
    const now = ports.data.map((p) => p.port);
    if (known.current === null) {
      known.current = new Set(now);
      return;
    }
    const added = now.filter((p) => !known.current?.has(p));
    added.forEach((p) => known.current?.add(p));
    if (added.length > 0) setFresh((f) => [...f.filter((p) => now.includes(p)), ...added]);
  }, [ports.data]);

  if (sandbox && !running) return <SandboxOffline sandbox={sandbox} what="Ports" />;

  return (
    <section aria-labelledby="ports-heading" className="space-y-4">
      <div>
        <h2 id="ports-heading" className="text-base font-semibold">
          Listening ports
        </h2>
        <p className="text-sm text-muted-foreground">
          A server started in the sandbox (for example <code>python3 -m http.server 8000</code>) shows up here
          within a few seconds.
        </p>
      </div>
      <p className="sr-only" role="status">
        {fresh.length > 0 ? `New port listening: ${fresh.join(', ')}` : ''}
      </p>
      {ports.isError && <ErrorAlert error={ports.error} title="Could not list the ports" />}
      {ports.isPending ? (
        <Skeleton className="h-24 w-full" aria-label="Loading ports" />
      ) : ports.data && ports.data.length === 0 ? (
        <p className="rounded-lg border border-dashed p-6 text-center text-sm text-muted-foreground">
          Nothing is listening yet.
        </p>
      ) : (
        <ul className="divide-y rounded-lg border" aria-label="Listening ports">
          {ports.data?.map((p) => (
            <li
              key={p.port}
              className="flex flex-wrap items-center gap-x-4 gap-y-2 p-3"
              data-testid="port-row"
            >
              <div className="min-w-24">
                <span className="font-mono text-sm font-medium">{p.port}</span>
                {fresh.includes(p.port) && (
                  <Badge variant="secondary" className="ml-2">
                    new
                  </Badge>
                )}
              </div>
              <div className="min-w-0 flex-1 text-sm">
                <p className="truncate font-mono text-xs" title={p.url}>
                  {p.url}
                </p>
                <p className="truncate text-xs text-muted-foreground" title={p.process ?? undefined}>
                  {p.process ?? 'unknown process'} · {p.addresses.join(', ')}
                </p>
              </div>
              <div className="flex items-center gap-1">
                <CopyButton value={p.url} label={`Copy the URL of port ${p.port}`} />
                <Button size="sm" asChild>
                  <a
                    href={p.access_url}
                    target="_blank"
                    rel="noopener noreferrer"
                    aria-label={`Open port ${p.port} in a new tab`}
                  >
                    <ExternalLink aria-hidden /> Open
                  </a>
                </Button>
              </div>
            </li>
          ))}
        </ul>
      )}
      <OpenPortForm sandboxId={sandboxId} />
    </section>
  );
}
