/**
 * Agent configuration: from a JSON file written by the runtime (`--config <file>`), or from flags
 * and env vars for a bare agent (`--socket <path>`, HOPDECK_AGENT_SOCKET, ...).
 */
import { readFileSync } from 'node:fs';
import { dirname, join, posix, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { SandboxResources } from '../../contract/schemas.ts';

/**
 * The config file the runtime writes (server/runtime/launch.ts builds it as an `AgentConfig`). The
 * file may leave fields out (flags and env vars fill them); unknown fields are refused, so a typo
 * or a runtime/agent mismatch is an error naming the field rather than a silent default.
 */
export const AgentConfigSchema = z
  .object({
    socketPath: z.string().min(1),
    /** Host directory that API paths like /workspace resolve under ('/' inside a bwrap sandbox). */
    fsRoot: z.string().min(1),
    python: z.string().min(1),
    bridgePath: z.string().min(1),
    warmPython: z.boolean(),
    outputCapBytes: z.number().int().positive(),
    /** The sandbox's global env at boot (template + create request env_vars). */
    env: z.record(z.string(), z.string()),
    sandboxId: z.string().min(1),
    workdir: z.string().startsWith('/'),
    /** The sandbox's limits, for /system and metrics (absent for a bare agent). */
    resources: SandboxResources.optional(),
  })
  .strict();

export type AgentConfig = z.infer<typeof AgentConfigSchema>;
const AgentConfigFile = AgentConfigSchema.partial();

/** Parse the runtime's config file; throws an Error naming the file and the first bad field. */
export function parseConfigFile(text: string, file: string): Partial<AgentConfig> {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    throw new Error(`agent: config file ${file} is not valid JSON (${(err as Error).message})`, {
      cause: err,
    });
  }
  const parsed = AgentConfigFile.safeParse(data);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const where =
    issue?.code === 'unrecognized_keys'
      ? issue.keys.join(', ')
      : issue && issue.path.length > 0
        ? issue.path.join('.')
        : '(top level)';
  throw new Error(`agent: config file ${file}: invalid field ${where}: ${issue?.message ?? 'bad value'}`);
}

function flag(argv: string[], name: string): string | undefined {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : undefined;
}

export function loadConfig(argv: string[], env: NodeJS.ProcessEnv): AgentConfig {
  const here = dirname(fileURLToPath(import.meta.url));
  const file = flag(argv, '--config') ?? env.HOPDECK_AGENT_CONFIG;
  const fromFile: Partial<AgentConfig> = file ? parseConfigFile(readFileSync(file, 'utf8'), file) : {};
  const socketPath = flag(argv, '--socket') ?? env.HOPDECK_AGENT_SOCKET ?? fromFile.socketPath;
  if (!socketPath) throw new Error('agent: no socket path (use --socket <path> or HOPDECK_AGENT_SOCKET)');
  const cap = Number(
    flag(argv, '--output-cap') ?? env.HOPDECK_OUTPUT_CAP ?? fromFile.outputCapBytes ?? 1024 * 1024,
  );
  return {
    socketPath: resolve(socketPath),
    fsRoot: resolve(flag(argv, '--root') ?? env.HOPDECK_FS_ROOT ?? fromFile.fsRoot ?? '/'),
    python: fromFile.python ?? env.HOPDECK_PYTHON ?? '/usr/bin/python3',
    bridgePath: fromFile.bridgePath ?? env.HOPDECK_BRIDGE ?? join(here, 'bridge.py'),
    warmPython: fromFile.warmPython ?? (argv.includes('--warm-python') || env.HOPDECK_WARM_PYTHON === '1'),
    outputCapBytes: Number.isFinite(cap) && cap > 0 ? cap : 1024 * 1024,
    env: cleanEnv(fromFile.env ?? {}),
    sandboxId: fromFile.sandboxId ?? env.HOPDECK_SANDBOX_ID ?? 'local',
    workdir: fromFile.workdir ?? '/workspace',
    resources: fromFile.resources,
  };
}

/** Drop variables no process could receive (a NUL byte, a bad name) rather than fail every run. */
function cleanEnv(env: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) {
    if (typeof v === 'string' && /^[^=\0]+$/.test(k) && !v.includes('\0')) out[k] = v;
  }
  return out;
}

/** Map an API path (absolute, inside the sandbox) to the real path the agent opens. */
export function realPath(cfg: AgentConfig, apiPath: string): string {
  const normal = posix.normalize(apiPath);
  return cfg.fsRoot === '/' ? normal : join(cfg.fsRoot, normal);
}

/** The base environment of every process the agent starts (cleared, then the sandbox's own). */
export function baseEnv(cfg: AgentConfig): Record<string, string> {
  return {
    PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
    HOME: realPath(cfg, '/home/user'),
    USER: 'user',
    LOGNAME: 'user',
    SHELL: '/bin/bash',
    LANG: 'C.UTF-8',
    LC_ALL: 'C.UTF-8',
    TERM: 'xterm-256color',
    TMPDIR: realPath(cfg, '/tmp'),
    PYTHONUNBUFFERED: '1',
    MPLCONFIGDIR: realPath(cfg, '/tmp/.matplotlib'),
    PYDEVD_DISABLE_FILE_VALIDATION: '1',
    HOPDECK_SANDBOX_ID: cfg.sandboxId,
  };
}
