import { useQuery } from '@tanstack/react-query';
import { Link, getRouteApi, useRouter } from '@tanstack/react-router';
import { ArrowLeft, Code2, Loader2, Plus } from 'lucide-react';
import type { ReactNode } from 'react';
import { toast } from 'sonner';
import { isApiError } from '@/api/client';
import { DEFAULT_TIMEOUT_SECONDS, useCreateSandbox } from '@/api/sandboxes';
import { isUsable, templateQueryOptions } from '@/api/templates';
import { Badge } from '@/components/ui/badge';
import { Button } from '@/components/ui/button';
import { Card, CardContent, CardHeader, CardTitle } from '@/components/ui/card';
import { ErrorAlert } from '@/components/ui/error-alert';
import { Skeleton } from '@/components/ui/skeleton';
import { formatDuration, formatExact, formatResources } from '@/lib/format';
import { TemplateStatusBadges } from './template-card';

const route = getRouteApi('/templates/$name');

function Row({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div className="grid grid-cols-[9rem_1fr] gap-2 py-1.5 text-sm">
      <dt className="text-muted-foreground">{label}</dt>
      <dd className="min-w-0 break-words">{children}</dd>
    </div>
  );
}

export function TemplateDetailPage() {
  const { name } = route.useParams();
  const router = useRouter();
  const template = useQuery(templateQueryOptions(name));
  const create = useCreateSandbox();

  if (template.isPending) return <Skeleton className="h-64 w-full" />;
  if (template.isError) {
    const missing = isApiError(template.error) && template.error.status === 404;
    return (
      <div className="mx-auto max-w-lg space-y-4 py-10 text-center">
        <h1 className="text-xl font-semibold">
          {missing ? 'Template not found' : 'Could not load the template'}
        </h1>
        {missing ? (
          <p className="text-sm text-muted-foreground">No template is called “{name}”.</p>
        ) : (
          <ErrorAlert error={template.error} className="text-left" />
        )}
        <Button asChild variant="outline">
          <Link to="/templates">
            <ArrowLeft /> All templates
          </Link>
        </Button>
      </div>
    );
  }

  const t = template.data;
  const runInNew = () =>
    create.mutate(
      // The same lifetime as the create dialog's default (a forgotten sandbox does not run forever).
      { template_name: t.name, timeout_seconds: DEFAULT_TIMEOUT_SECONDS },
      {
        onSuccess: (s) => {
          toast.success(`Sandbox ${s.id} created`);
          // The run tab belongs to the run pane; its path is part of the route tree.
          void router.navigate({ to: '/sandboxes/$id/run', params: { id: s.id } });
        },
      },
    );

  return (
    <div className="space-y-4">
      <Link
        to="/templates"
        className="inline-flex items-center gap-1 text-sm text-muted-foreground outline-none hover:text-foreground focus-visible:ring-[3px] focus-visible:ring-ring/60"
      >
        <ArrowLeft className="size-4" /> Templates
      </Link>
      <div className="flex flex-wrap items-start justify-between gap-3">
        <div className="space-y-1">
          <h1 className="text-2xl font-semibold">{t.display_name}</h1>
          <p className="font-mono text-sm text-muted-foreground">{t.name}</p>
          <div className="flex flex-wrap gap-1">
            <TemplateStatusBadges t={t} />
          </div>
        </div>
        <div className="flex flex-wrap items-center gap-2">
          {isUsable(t) ? (
            <Button asChild variant="outline">
              <Link to="/sandboxes" search={{ create: t.name }}>
                <Plus /> Create sandbox
              </Link>
            </Button>
          ) : (
            <Button variant="outline" disabled title="This template is not active">
              <Plus /> Create sandbox
            </Button>
          )}
          <Button onClick={runInNew} disabled={!isUsable(t) || create.isPending}>
            {create.isPending ? <Loader2 className="animate-spin" /> : <Code2 />}
            {create.isPending ? 'Creating sandbox…' : 'Run code in a new sandbox'}
          </Button>
          <p className="w-full text-right text-xs text-muted-foreground">
            A new sandbox is deleted after {formatDuration(DEFAULT_TIMEOUT_SECONDS)} unless extended.
          </p>
        </div>
      </div>
      {create.isError && <ErrorAlert error={create.error} title="Could not create the sandbox" />}
      <p className="max-w-3xl text-sm">{t.description}</p>
      <div className="grid gap-4 lg:grid-cols-2">
        <Card>
          <CardHeader>
            <CardTitle>About</CardTitle>
          </CardHeader>
          <CardContent>
            <dl className="divide-y">
              <Row label="ID">
                <span className="font-mono text-xs">{t.id}</span>
              </Row>
              <Row label="Category">{t.category}</Row>
              <Row label="Language">{t.language}</Row>
              <Row label="Features">
                <span className="flex flex-wrap gap-1">
                  {t.features.length
                    ? t.features.map((f) => (
                        <Badge key={f} variant="secondary">
                          {f}
                        </Badge>
                      ))
                    : '—'}
                </span>
              </Row>
              <Row label="Tags">{t.tags.length ? t.tags.join(', ') : '—'}</Row>
              <Row label="Popularity">{t.popularity_score}</Row>
              {t.docs_url && (
                <Row label="Docs">
                  <a
                    href={t.docs_url}
                    target="_blank"
                    rel="noreferrer noopener"
                    className="text-primary hover:underline"
                  >
                    {t.docs_url}
                  </a>
                </Row>
              )}
              <Row label="Updated">{formatExact(t.updated_at)}</Row>
            </dl>
          </CardContent>
        </Card>
        <Card>
          <CardHeader>
            <CardTitle>Resources</CardTitle>
          </CardHeader>
          <CardContent>
            <dl className="divide-y">
              <Row label="Default">{formatResources(t.default_resources)}</Row>
              <Row label="Minimum">{formatResources(t.min_resources)}</Row>
              <Row label="Maximum">{formatResources(t.max_resources)}</Row>
            </dl>
          </CardContent>
        </Card>
      </div>
    </div>
  );
}
