/**
 * What the control plane needs from the agent gateway (server/gateway/): one loopback port per
 * sandbox. `open` rejects with EADDRINUSE when the port is taken, so the allocator can move on.
 */
export interface GatewayPorts {
  open(sandboxId: string, port: number): Promise<void>;
  close(sandboxId: string): Promise<void> | void;
  closeAll(): Promise<void>;
}
