/** Stand-in for a section that is not built yet. */
export function TabPlaceholder({ title }: { title: string }) {
  return (
    <section aria-label={title} className="rounded-lg border p-6 text-sm text-muted-foreground">
      {title} will appear here.
    </section>
  );
}
