import { Link } from '@tanstack/react-router';
import type { Template } from '@contract/schemas';
import { Badge } from '@/components/ui/badge';
import { formatResources } from '@/lib/format';

export function TemplateStatusBadges({ t }: { t: Template }) {
  return (
    <>
      <Badge variant={t.status === 'active' ? 'success' : t.status === 'failed' ? 'destructive' : 'muted'}>
        {t.status}
      </Badge>
      {t.is_public && <Badge variant="outline">public</Badge>}
      <Badge variant={t.is_active ? 'default' : 'muted'}>{t.is_active ? 'enabled' : 'disabled'}</Badge>
    </>
  );
}

export function TemplateCard({ t }: { t: Template }) {
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
    </li>
  );
}
