// Types for node-support.mjs (plain JavaScript so `npm start` can run it before `npm ci`).
export type NodeSupport = 'supported' | 'newer' | 'unsupported';
export function parseEngines(range: string): [number, number, number][];
export function describeEngines(range: string): string;
export function nodeSupport(version: string, range: string): NodeSupport;
export function nodeSupportMessage(version: string, range: string): string | null;
