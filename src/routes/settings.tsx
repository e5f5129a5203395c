import { createFileRoute } from '@tanstack/react-router';
import { apiKeysQueryOptions } from '@/api/apiKeys';
import { healthQueryOptions } from '@/api/health';
import { SettingsPage } from '@/features/settings/settings-page';

export const Route = createFileRoute('/settings')({
  loader: ({ context }) =>
    Promise.all([
      context.queryClient.ensureQueryData(healthQueryOptions()),
      context.queryClient.ensureQueryData(apiKeysQueryOptions()),
    ]).catch(() => undefined),
  component: SettingsPage,
});
