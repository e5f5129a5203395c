import { createFileRoute } from '@tanstack/react-router';
import { apiKeysQueryOptions } from '@/api/apiKeys';
import { backendsQueryOptions } from '@/api/backends';
import { healthQueryOptions } from '@/api/health';
import { SettingsPage } from '@/features/settings/settings-page';

export const Route = createFileRoute('/settings')({
  loader: ({ context }) =>
    Promise.all([
      context.queryClient.ensureQueryData(healthQueryOptions()),
      context.queryClient.ensureQueryData(apiKeysQueryOptions()),
      context.queryClient.ensureQueryData(backendsQueryOptions()),
    ]).catch(() => undefined),
  component: SettingsPage,
});
