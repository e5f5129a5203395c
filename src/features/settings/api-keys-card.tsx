import { useQuery } from '@tanstack/react-query';
import { KeyRound, Plus, Trash2 } from 'lucide-react';
import { useState } from 'react';
import { toast } from 'sonner';
import { apiKeysQueryOptions, useRevokeApiKey } from '@/api/apiKeys';
import type { ApiKeyInfo } from '@contract/schemas';
import { Badge } from '@/components/ui/badge';
import { Button } from '@/components/ui/button';
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from '@/components/ui/card';
import { ConfirmDialog } from '@/components/ui/dialog';
import { ErrorAlert } from '@/components/ui/error-alert';
import { Skeleton } from '@/components/ui/skeleton';
import { describeError } from '@/lib/errors';
import { formatExact, formatRelative } from '@/lib/format';
import { CreateKeyDialog } from './create-key-dialog';

const th = 'px-3 py-2 text-left text-xs font-medium text-muted-foreground';
const td = 'px-3 py-2';

export function ApiKeysCard() {
  const keys = useQuery(apiKeysQueryOptions());
  const revoke = useRevokeApiKey();
  const [creating, setCreating] = useState(false);
  const [revoking, setRevoking] = useState<ApiKeyInfo | null>(null);
  const rows = [...(keys.data?.data ?? [])].sort((a, b) => Number(!!a.revoked_at) - Number(!!b.revoked_at));

  return (
    <Card>
      <CardHeader className="flex-row flex-wrap items-start justify-between gap-3">
        <div className="space-y-1">
          <CardTitle>API keys</CardTitle>
          <CardDescription>
            Keys for the SDKs, the CLI and this dashboard. A key is shown only once.
          </CardDescription>
        </div>
        <Button onClick={() => setCreating(true)}>
          <Plus /> New API key
        </Button>
      </CardHeader>
      <CardContent>
        {keys.isError && <ErrorAlert error={keys.error} title="Could not load API keys" />}
        {keys.isPending && <Skeleton className="h-24" />}
        {keys.data && (
          <div className="relative overflow-x-auto rounded-lg border">
            <table className="w-full text-sm">
              <thead className="bg-muted">
                <tr>
                  <th className={th}>Name</th>
                  <th className={th}>Prefix</th>
                  <th className={th}>Created</th>
                  <th className={th}>Last used</th>
                  <th className={th}>
                    <span className="sr-only">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {rows.map((k) => (
                  <tr key={k.id} className="border-t">
                    <td className={td}>
                      <span className="inline-flex items-center gap-2">
                        <KeyRound className="size-4 text-muted-foreground" aria-hidden />
                        {k.name}
                        {k.revoked_at && <Badge variant="muted">revoked</Badge>}
                      </span>
                    </td>
                    <td className={`${td} font-mono text-xs`}>{k.prefix}…</td>
                    <td className={td} title={formatExact(k.created_at)}>
                      {formatRelative(k.created_at)}
                    </td>
                    <td className={td} title={formatExact(k.last_used_at)}>
                      {k.last_used_at ? formatRelative(k.last_used_at) : 'never'}
                    </td>
                    <td className={`${td} text-right`}>
                      {!k.revoked_at && (
                        <Button
                          variant="ghost"
                          size="sm"
                          onClick={() => setRevoking(k)}
                          aria-label={`Revoke ${k.name}`}
                        >
                          <Trash2 /> Revoke
                        </Button>
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </CardContent>
      <CreateKeyDialog open={creating} onOpenChange={setCreating} />
      <ConfirmDialog
        open={revoking !== null}
        onOpenChange={(o) => !o && setRevoking(null)}
        title={`Revoke “${revoking?.name ?? ''}”?`}
        description="Programs using this key stop working at once, and sessions signed in with it end. This cannot be undone."
        confirmLabel="Revoke key"
        destructive
        onConfirm={() =>
          revoking &&
          revoke.mutate(revoking.id, {
            onSuccess: () => toast.success(`Key “${revoking.name}” revoked`),
            onError: (e) => toast.error(`Could not revoke the key: ${describeError(e)}`),
          })
        }
      />
    </Card>
  );
}
