import { useState } from 'react';
import { toast } from 'sonner';
import { useSetSandboxTimeout } from '@/api/sandboxes';
import type { Sandbox } from '@contract/schemas';
import { Button } from '@/components/ui/button';
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from '@/components/ui/card';
import { Label, NativeSelect } from '@/components/ui/input';
import { describeError } from '@/lib/errors';

const CHOICES = [
  { label: '15 minutes', seconds: 900 },
  { label: '1 hour', seconds: 3600 },
  { label: '4 hours', seconds: 14_400 },
  { label: '24 hours', seconds: 86_400 },
  { label: '7 days', seconds: 604_800 },
];

/** Extend (or shorten) the sandbox's life: the new deadline is now + the chosen duration. */
export function TimeoutCard({ sandbox }: { sandbox: Sandbox }) {
  const [seconds, setSeconds] = useState(3600);
  const mutation = useSetSandboxTimeout(sandbox.id);
  const disabled = sandbox.status === 'deleted' || mutation.isPending;
  return (
    <Card>
      <CardHeader>
        <CardTitle>Extend timeout</CardTitle>
        <CardDescription>The sandbox is deleted when its timeout runs out.</CardDescription>
      </CardHeader>
      <CardContent>
        <form
          className="flex flex-wrap items-end gap-2"
          onSubmit={(e) => {
            e.preventDefault();
            mutation.mutate(seconds, {
              onSuccess: () => toast.success('Timeout updated'),
              onError: (err) => toast.error(`Could not set the timeout: ${describeError(err)}`),
            });
          }}
        >
          <div className="space-y-2">
            <Label htmlFor="timeout-choice">Delete in (from now)</Label>
            <NativeSelect
              id="timeout-choice"
              className="w-44"
              value={seconds}
              onChange={(e) => setSeconds(Number(e.target.value))}
            >
              {CHOICES.map((c) => (
                <option key={c.seconds} value={c.seconds}>
                  {c.label}
                </option>
              ))}
            </NativeSelect>
          </div>
          <Button type="submit" variant="outline" disabled={disabled}>
            Set timeout
          </Button>
        </form>
      </CardContent>
    </Card>
  );
}
