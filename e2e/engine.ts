/**
 * The engine the e2e suite runs against: started by global-setup, described in a state file that
 * specs read. Nothing here mocks the API; it is the real `hopdeck serve`.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';

export interface EngineState {
  baseURL: string;
  framesOrigin: string;
  apiKey: string;
  signInLink: string;
  dataDir: string;
  pid: number;
}

export const E2E_PORT = Number(process.env.E2E_PORT ?? 7181);
export const STATE_FILE = join(tmpdir(), `hopdeck-e2e-${E2E_PORT}.json`);

export function engine(): EngineState {
  return JSON.parse(readFileSync(STATE_FILE, 'utf8')) as EngineState;
}
