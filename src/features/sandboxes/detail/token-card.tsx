import { RefreshCw } from 'lucide-react';
import { toast } from 'sonner';
import { useRefreshSandboxToken } from '@/api/sandboxes';
import type { Sandbox } from '@contract/schemas';
import { Button } from '@/components/ui/button';
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from '@/components/ui/card';
import { CopyButton } from '@/components/ui/copy-button';
import { describeError } from '@/lib/errors';
import { formatExact, maskSecret } from '@/lib/format';
import { Countdown } from '../time-cells';

/** The agent token: masked (never shown in full), copyable, its expiry counting down, refreshable. */
export function TokenCard({ sandbox }: { sandbox: Sandbox }) {
  const refresh = useRefreshSandboxToken(sandbox.id);
  // Reading a sandbox does not return its token (only creating it or refreshing does), and polling
  // replaces the cached sandbox: keep the last token this page obtained.
  const token = refresh.data?.auth_token ?? sandbox.auth_token;
  const expiresAt = refresh.data?.token_expires_at ?? sandbox.token_expires_at;
  return (
    <Card>
      <CardHeader>
        <CardTitle>Agent token</CardTitle>
        <CardDescription>A JWT for this sandbox's agent at its public host.</CardDescription>
      </CardHeader>
      <CardContent className="space-y-3 text-sm">
        <div className="flex items-center gap-2">
          <code className="rounded bg-muted px-2 py-1 text-xs" aria-label="Token (masked)">
            {token ? maskSecret(token) : 'hidden: refresh to get a new token'}
          </code>
          {token && <CopyButton value={token} label="Copy agent token" />}
        </div>
        <p>
          Expires in{' '}
          {expiresAt ? (
            <>
              <Countdown expiresAt={expiresAt} />{' '}
              <span className="text-xs text-muted-foreground">({formatExact(expiresAt)})</span>
            </>
          ) : (
            <span className="text-muted-foreground">—</span>
          )}
        </p>
        <Button
          variant="outline"
          size="sm"
          disabled={refresh.isPending || sandbox.status === 'deleted'}
          onClick={() =>
            refresh.mutate(undefined, {
              onSuccess: () => toast.success('Agent token refreshed'),
              onError: (e) => toast.error(`Could not refresh the token: ${describeError(e)}`),
            })
          }
        >
          <RefreshCw className={refresh.isPending ? 'animate-spin' : undefined} /> Refresh token
        </Button>
      </CardContent>
    </Card>
  );
}
