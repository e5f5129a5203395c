/** Small shared types of the gateway. */

/** The subset of a pino/Fastify logger the gateway uses. */
export interface GatewayLogger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}
