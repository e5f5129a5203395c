/**
 * The sandbox lifecycle, written once: which status each action requires and which it leads to.
 * The engine refuses other transitions with 409 CONFLICT; the dashboard offers only these actions.
 */
import type { SandboxStatus } from './schemas.ts';

export const LIFECYCLE_ACTIONS = ['start', 'stop', 'pause', 'resume'] as const;
export type LifecycleAction = (typeof LIFECYCLE_ACTIONS)[number];
export type SandboxAction = LifecycleAction | 'delete';

export const ACTION_RULES: Record<SandboxAction, { from: readonly SandboxStatus[]; to: SandboxStatus }> = {
  start: { from: ['stopped', 'error'], to: 'running' },
  stop: { from: ['running', 'paused'], to: 'stopped' },
  pause: { from: ['running'], to: 'paused' },
  resume: { from: ['paused'], to: 'running' },
  delete: { from: ['creating', 'running', 'stopped', 'paused', 'error'], to: 'deleted' },
};

export function actionApplies(action: SandboxAction, status: SandboxStatus): boolean {
  return ACTION_RULES[action].from.includes(status);
}
