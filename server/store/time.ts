/** Timestamps the engine publishes: RFC 3339, whole seconds, `Z`. */
export function iso(date: Date | number = new Date()): string {
  const ms = typeof date === 'number' ? date : date.getTime();
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}
