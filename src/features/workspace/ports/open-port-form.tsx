/** Open any port by number (one that is not listening yet, or that the list does not show). */
import { useMutation } from '@tanstack/react-query';
import { useId, useState } from 'react';
import { fetchPort } from '@/api/ports';
import { Button } from '@/components/ui/button';
import { ErrorAlert } from '@/components/ui/error-alert';
import { Input } from '@/components/ui/input';

export function OpenPortForm({ sandboxId }: { sandboxId: string }) {
  const id = useId();
  const [value, setValue] = useState('');
  const port = Number(value);
  const valid = /^[1-9]\d{0,4}$/.test(value) && port <= 65535;
  const open = useMutation({
    mutationFn: async () => {
      // open the tab now (a popup blocker allows it only during the click), point it at the link after
      const tab = window.open('about:blank', '_blank');
      try {
        const p = await fetchPort(sandboxId, port);
        if (tab) {
          tab.opener = null;
          tab.location.href = p.access_url;
        }
      } catch (e) {
        tab?.close();
        throw e;
      }
    },
  });
  return (
    <form
      className="space-y-2 rounded-lg border p-3"
      onSubmit={(e) => {
        e.preventDefault();
        if (valid) open.mutate();
      }}
    >
      <label htmlFor={id} className="text-sm font-medium">
        Open another port
      </label>
      <div className="flex gap-2">
        <Input
          id={id}
          inputMode="numeric"
          placeholder="e.g. 5173"
          value={value}
          onChange={(e) => setValue(e.target.value.trim())}
          aria-invalid={value !== '' && !valid}
          aria-describedby={`${id}-hint`}
          className="h-8 w-32"
        />
        <Button type="submit" size="sm" variant="outline" disabled={!valid || open.isPending}>
          Open
        </Button>
      </div>
      <p id={`${id}-hint`} className="text-xs text-muted-foreground">
        A number from 1 to 65535. From code: <code>GET /v1/sandboxes/{sandboxId}/ports/&lt;port&gt;</code>{' '}
        returns its URL and a one-time access link.
      </p>
      {open.isError && <ErrorAlert error={open.error} title="Could not open the port" />}
    </form>
  );
}
