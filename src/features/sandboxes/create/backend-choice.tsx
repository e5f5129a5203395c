import type { Backend } from '@/api/backends';
import { Label, NativeSelect } from '@/components/ui/input';

/**
 * Where the sandbox is created: the engine's default is marked, backends that are down cannot be
 * picked and say why.
 */
export function BackendChoice({
  backends,
  value,
  onChange,
}: {
  backends: readonly Backend[];
  value: string;
  onChange: (name: string) => void;
}) {
  const down = backends.filter((b) => b.status === 'down');
  return (
    <div className="space-y-2">
      <Label htmlFor="create-backend">Backend</Label>
      <NativeSelect
        id="create-backend"
        value={value}
        onChange={(e) => onChange(e.target.value)}
        aria-describedby={down.length ? 'create-backend-down' : undefined}
      >
        {!value && <option value="">No backend can take a sandbox now</option>}
        {backends.map((b) => (
          <option key={b.name} value={b.name} disabled={b.status === 'down'}>
            {b.name}
            {b.kind === 'local' ? ' (this machine)' : ''}
            {b.default ? ' · default' : ''}
            {b.status === 'down' ? ' · down' : b.status === 'degraded' ? ' · degraded' : ''}
          </option>
        ))}
      </NativeSelect>
      {down.length > 0 && (
        <ul id="create-backend-down" className="text-xs text-amber-700 dark:text-amber-400">
          {down.map((b) => (
            <li key={b.name}>
              {b.name} is down: {b.message ?? 'not reachable'}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
