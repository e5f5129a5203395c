import { Link } from '@tanstack/react-router';
import { Plus } from 'lucide-react';
import { backendOf } from '@/api/backends';
import { isUsable } from '@/api/templates';
import { Button } from '@/components/ui/button';
import type { Template } from '@contract/schemas';
import { Badge } from '@/components/ui/badge';
import { formatResources } from '@/lib/format';

/**
 * One badge for whether the template can be used: "ready" when it is active and enabled, otherwise
 * what keeps it from being used (building, failed, disabled). Public is a separate fact.
 */
export function TemplateStatusBadges({ t }: { t: Template }) {
  const ready = t.status === 'active' && t.is_active;
  return (
    <>
      <Badge variant={ready ? 'success' : t.status === 'failed' ? 'destructive' : 'muted'}>
        {ready ? 'ready' : t.status !== 'active' ? t.status : 'disabled'}
      </Badge>
      {!t.is_public && <Badge variant="outline">private</Badge>}
    </>
  );
}

export function TemplateCard({ t, showBackend = false }: { t: Template; showBackend?: boolean }) {
  return (
    <li className="relative flex flex-col gap-3 rounded-xl border bg-card p-4 shadow-xs focus-within:ring-[3px] focus-within:ring-ring/60 hover:border-primary/50">
      <div className="flex flex-col gap-2">
        <div className="min-w-0">
          <h2 className="font-semibold">
            <Link
              to="/templates/$name"
              params={{ name: t.name }}
              className="outline-none after:absolute after:inset-0 after:content-['']"
            >
              {t.display_name}
            </Link>
          </h2>
          <p className="font-mono text-xs text-muted-foreground">{t.name}</p>
        </div>
        <div className="flex flex-wrap gap-1">
          <TemplateStatusBadges t={t} />
          {showBackend && (
            <Badge variant="outline" title="Backend">
              <span className="sr-only">Backend: </span>
              {backendOf(t)}
            </Badge>
          )}
        </div>
      </div>
      <p className="line-clamp-2 text-sm text-muted-foreground">{t.description}</p>
      <dl className="mt-auto grid grid-cols-[6rem_1fr] gap-x-3 gap-y-1 text-xs">
        <dt className="text-muted-foreground">Category</dt>
        <dd>{t.category}</dd>
        <dt className="text-muted-foreground">Language</dt>
        <dd>{t.language}</dd>
        <dt className="text-muted-foreground">Resources</dt>
        <dd>{formatResources(t.default_resources)}</dd>
      </dl>
      {t.features.length > 0 && (
        <ul className="flex flex-wrap gap-1" aria-label="Features">
          {t.features.map((f) => (
            <li key={f}>
              <Badge variant="secondary">{f}</Badge>
            </li>
          ))}
        </ul>
      )}
      {isUsable(t) && (
        // Above the card-wide link (relative z-10), so it is its own click target.
        <Button asChild size="sm" variant="outline" className="relative z-10 self-start">
          <Link
            to="/sandboxes"
            search={showBackend ? { create: t.name, backend: backendOf(t) } : { create: t.name }}
            aria-label={`Create a sandbox from ${t.display_name}${showBackend ? ` on ${backendOf(t)}` : ''}`}
          >
            <Plus /> Create sandbox
          </Link>
        </Button>
      )}
    </li>
  );
}
