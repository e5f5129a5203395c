/** Timestamps the engine publishes: RFC 3339, whole seconds, `Z` (one definition, in the wire module). */
export { rfc3339 as iso } from '../../contract/wire.ts';
