import { useQuery } from '@tanstack/react-query';
import { useNavigate } from '@tanstack/react-router';
import { Loader2 } from 'lucide-react';
import { useState, type FormEvent } from 'react';
import { toast } from 'sonner';
import { envVarProblem } from '@contract/schemas';
import { backendOf, backendsQueryOptions, usableBackend } from '@/api/backends';
import { healthQueryOptions } from '@/api/health';
import { DEFAULT_TIMEOUT_SECONDS, useCreateSandbox } from '@/api/sandboxes';
import { isUsable, templateListQueryOptions } from '@/api/templates';
import { Button } from '@/components/ui/button';
import {
  Dialog,
  DialogContent,
  DialogDescription,
  DialogFooter,
  DialogHeader,
  DialogTitle,
} from '@/components/ui/dialog';
import { ErrorAlert } from '@/components/ui/error-alert';
import { Label, NativeSelect } from '@/components/ui/input';
import { Switch } from '@/components/ui/switch';
import { formatResources } from '@/lib/format';
import { useNow } from '@/lib/use-now';
import { BackendChoice } from './backend-choice';
import { EnvVarsEditor, type EnvRow } from './env-vars-editor';

const TIMEOUTS = [
  { label: '15 minutes', seconds: 900 },
  { label: '1 hour', seconds: 3600 },
  { label: '4 hours', seconds: 14_400 },
  { label: '24 hours', seconds: 86_400 },
  { label: 'No limit', seconds: 0 },
] as const;

export function CreateSandboxDialog({
  open,
  onOpenChange,
  initialTemplate,
  initialBackend,
}: {
  open: boolean;
  onOpenChange: (open: boolean) => void;
  initialTemplate?: string;
  /** Preselected backend (the list's backend filter, or a template card's link). */
  initialBackend?: string;
}) {
  const navigate = useNavigate();
  const templates = useQuery({ ...templateListQueryOptions(), enabled: open });
  const health = useQuery({ ...healthQueryOptions(), enabled: open });
  const backends = useQuery({ ...backendsQueryOptions(), enabled: open });
  const [pickedBackend, setBackend] = useState('');
  // The person's choice while it can take a create, else the default, else the first that is up.
  const backendList = backends.data ?? [];
  const backend = usableBackend(backendList, pickedBackend || initialBackend)?.name ?? '';
  const manyBackends = backendList.length > 1;
  // Templates come from the chosen backend's catalog.
  const usable =
    templates.data?.filter((t) => isUsable(t) && (!manyBackends || backendOf(t) === backend)) ?? [];
  const create = useCreateSandbox();
  const [picked, setTemplate] = useState('');
  const [pickedRegion, setRegion] = useState('');
  const [timeout, setTimeoutSecs] = useState<number>(DEFAULT_TIMEOUT_SECONDS);
  const [internet, setInternet] = useState(true);
  const [env, setEnv] = useState<EnvRow[]>([]);
  const [startedAt, setStartedAt] = useState(0);

  // The user's choice, else the template asked for in the URL if it can be used, else the first
  // usable one: what the select shows is always what Create sends.
  const requested = usable.some((t) => t.name === initialTemplate) ? initialTemplate : undefined;
  const unknownRequest = Boolean(initialTemplate) && templates.isSuccess && !requested;
  const template =
    (usable.some((t) => t.name === picked) ? picked : '') || requested || usable[0]?.name || '';
  const regions = health.data?.regions ?? [];
  const region = pickedRegion || regions[0] || '';

  const chosen = usable.find((t) => t.name === template);
  const envValid = env.every((r) => r.key === '' || envVarProblem(r.key, r.value) === null);

  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (!template || !envValid) return;
    const env_vars = Object.fromEntries(env.filter((r) => r.key).map((r) => [r.key, r.value]));
    setStartedAt(Date.now());
    create.mutate(
      {
        template_name: template,
        region: region || undefined,
        timeout_seconds: timeout > 0 ? timeout : null,
        internet_access: internet,
        env_vars: Object.keys(env_vars).length ? env_vars : undefined,
        // An engine without upstreams is not asked about backends at all.
        backend: manyBackends ? backend : undefined,
      },
      {
        onSuccess: (sandbox) => {
          toast.success(`Sandbox ${sandbox.id} created`);
          setEnv([]);
          setTemplate('');
          void navigate({ to: '/sandboxes/$id', params: { id: sandbox.id } });
        },
      },
    );
  };

  return (
    <Dialog open={open} onOpenChange={(o) => !create.isPending && onOpenChange(o)}>
      {/* Header and actions stay in view; only the form scrolls (many env vars, a phone). */}
      <DialogContent className="grid-rows-[auto_minmax(0,1fr)_auto] overflow-hidden">
        <DialogHeader>
          <DialogTitle>New sandbox</DialogTitle>
          <DialogDescription>
            Resources come from the template; everything else can be set here.
          </DialogDescription>
        </DialogHeader>
        <form
          id="create-sandbox"
          onSubmit={submit}
          className="-mx-1 min-h-0 space-y-4 overflow-y-auto px-1 pb-1"
          data-testid="create-sandbox-form"
        >
          {manyBackends && <BackendChoice backends={backendList} value={backend} onChange={setBackend} />}
          <div className="space-y-2">
            <Label htmlFor="create-template">Template</Label>
            <NativeSelect
              id="create-template"
              value={template}
              onChange={(e) => setTemplate(e.target.value)}
              disabled={templates.isPending}
              required
            >
              {templates.isPending && <option value="">Loading templates…</option>}
              {usable.map((t) => (
                <option key={t.name} value={t.name}>
                  {t.display_name} ({t.name})
                </option>
              ))}
            </NativeSelect>
            {unknownRequest && !picked && (
              <p role="note" className="text-xs text-amber-700 dark:text-amber-400">
                The link asked for template “{initialTemplate}”, which this engine does not have (or cannot
                use); pick one above.
              </p>
            )}
            {chosen && (
              <p className="text-xs text-muted-foreground">
                {chosen.description} · {formatResources(chosen.default_resources)}
              </p>
            )}
            {templates.isError && <ErrorAlert error={templates.error} title="Could not load templates" />}
          </div>
          <div className="grid gap-4 sm:grid-cols-2">
            <div className="space-y-2">
              <Label htmlFor="create-timeout">Delete after</Label>
              <NativeSelect
                id="create-timeout"
                value={timeout}
                onChange={(e) => setTimeoutSecs(Number(e.target.value))}
              >
                {TIMEOUTS.map((t) => (
                  <option key={t.seconds} value={t.seconds}>
                    {t.label}
                  </option>
                ))}
              </NativeSelect>
            </div>
            <div className="space-y-2">
              <Label htmlFor="create-region">Region</Label>
              <NativeSelect
                id="create-region"
                value={region}
                onChange={(e) => setRegion(e.target.value)}
                disabled={regions.length <= 1}
              >
                {regions.length === 0 && <option value="">Engine default</option>}
                {regions.map((r) => (
                  <option key={r} value={r}>
                    {r}
                  </option>
                ))}
              </NativeSelect>
            </div>
          </div>
          <div className="flex items-center justify-between gap-3">
            <Label htmlFor="create-internet">Internet access</Label>
            <Switch id="create-internet" checked={internet} onCheckedChange={setInternet} />
          </div>
          <EnvVarsEditor rows={env} onChange={setEnv} />
          {create.isError && <ErrorAlert error={create.error} title="Could not create the sandbox" />}
        </form>
        <DialogFooter>
          {create.isPending && (
            <p role="status" className="mr-auto flex items-center gap-2 text-sm text-muted-foreground">
              <Loader2 className="size-4 animate-spin" aria-hidden />
              Creating sandbox… <Elapsed since={startedAt} />
            </p>
          )}
          <Button variant="outline" onClick={() => onOpenChange(false)} disabled={create.isPending}>
            Cancel
          </Button>
          <Button
            type="submit"
            form="create-sandbox"
            disabled={create.isPending || !template || !envValid || (manyBackends && !backend)}
          >
            {create.isPending ? 'Creating…' : 'Create sandbox'}
          </Button>
        </DialogFooter>
      </DialogContent>
    </Dialog>
  );
}

function Elapsed({ since }: { since: number }) {
  const now = useNow();
  return <>{Math.max(0, Math.floor((now - since) / 1000))} s</>;
}
