import { getRouteApi, useRouter } from '@tanstack/react-router';
import { KeyRound } from 'lucide-react';
import { useState, type FormEvent } from 'react';
import { safeRedirect, useLogin } from '@/api/session';
import { Button } from '@/components/ui/button';
import { Card, CardContent, CardDescription, CardHeader } from '@/components/ui/card';
import { ErrorAlert } from '@/components/ui/error-alert';
import { Input, Label } from '@/components/ui/input';

const route = getRouteApi('/login');

/**
 * Sign in with an API key. The key goes to the engine once (POST /auth/login), which answers with an
 * HttpOnly session cookie; the page keeps no copy of it.
 */
export function LoginPage() {
  const { redirect } = route.useSearch();
  const router = useRouter();
  const login = useLogin();
  const [key, setKey] = useState('');

  const submit = (e: FormEvent) => {
    e.preventDefault();
    login.mutate(key.trim(), {
      onSuccess: async () => {
        setKey('');
        await router.invalidate();
        await router.navigate({ href: safeRedirect(redirect) });
      },
    });
  };

  return (
    // The card hangs from a fixed point instead of being centred: an error appearing below the field
    // grows it downwards and the field the person is typing in does not move.
    <main className="flex min-h-dvh items-start justify-center bg-muted/40 p-4 pt-[12vh]">
      <Card className="w-full max-w-sm">
        <CardHeader className="items-center text-center">
          <img src="/favicon.svg" alt="" className="mb-2 size-10" />
          <h1 className="text-xl font-semibold">Sign in to Hopdeck</h1>
          <CardDescription>
            Paste an API key, or open the sign-in link the engine printed when it started.
          </CardDescription>
        </CardHeader>
        <CardContent>
          <form onSubmit={submit} className="space-y-4">
            <div className="space-y-2">
              <Label htmlFor="api-key">API key</Label>
              <Input
                id="api-key"
                name="api-key"
                type="password"
                autoComplete="off"
                spellCheck={false}
                placeholder="hopx_live_…"
                value={key}
                onChange={(e) => setKey(e.target.value)}
                required
                autoFocus
              />
            </div>
            {login.isError && <ErrorAlert error={login.error} title="Sign-in failed" />}
            <Button type="submit" className="w-full" disabled={login.isPending || !key.trim()}>
              <KeyRound />
              {login.isPending ? 'Signing in…' : 'Sign in'}
            </Button>
          </form>
          <p className="mt-4 text-xs text-muted-foreground">
            The key is exchanged for a session cookie and is not stored in this browser.
          </p>
        </CardContent>
      </Card>
    </main>
  );
}
