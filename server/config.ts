/**
 * `hopdeck serve` configuration: flags, then HOPDECK_* environment variables, then defaults,
 * validated with zod. A bad value is reported with the flag's name; main.ts exits with code 2.
 */
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { parsePublicUrl } from './control-plane/public-url.ts';
import {
  UpstreamConfigError,
  defaultBackend,
  parseUpstreams,
  type UpstreamConfig,
} from './upstream/config.ts';

const port = z.coerce
  .number({ error: 'expected a port number (1-65535)' })
  .int('expected a port number (1-65535)')
  .min(1, 'expected a port number (1-65535)')
  .max(65535, 'expected a port number (1-65535)');

const PortRange = z
  .string()
  .regex(/^\d{1,5}-\d{1,5}$/, 'expected a range like 7100-7999')
  .transform((s) => s.split('-').map(Number) as [number, number])
  .refine(([a, b]) => a >= 1 && b <= 65535 && a <= b, 'expected low-high within 1-65535');

export const ConfigSchema = z.object({
  host: z.string().min(1).default('127.0.0.1'),
  port: port.default(7070),
  framesPort: port.optional(),
  dataDir: z.string().min(1).optional(),
  // Any key the operator chooses to seed (automation, tests); a short one is allowed but warned about.
  apiKey: z
    .string()
    .min(1)
    .max(256)
    .regex(/^[\x21-\x7e]+$/, 'an API key must be printable ASCII without spaces')
    .optional(),
  agentPorts: PortRange.default([7100, 7999]),
  isolation: z.enum(['bwrap', 'none']).default('bwrap'),
  rateLimit: z.coerce
    .number({ error: 'expected requests per minute (an integer)' })
    .int()
    .min(1)
    .max(1_000_000)
    .default(6000),
  warmPool: z.coerce
    .number({ error: 'expected a number of spare sandboxes (0-16)' })
    .int()
    .min(0)
    .max(16)
    .default(1),
  corsOrigin: z
    .string()
    .regex(/^https?:\/\/[^/\s]+$/, 'expected an origin like http://127.0.0.1:5173')
    .optional(),
  publicUrl: z
    .string()
    .superRefine((v, ctx) => {
      try {
        parsePublicUrl(v);
      } catch (err) {
        ctx.addIssue({ code: 'custom', message: (err as Error).message });
      }
    })
    .transform((v) => parsePublicUrl(v).origin)
    .optional(),
});

export interface Config {
  host: string;
  port: number;
  framesPort: number;
  dataDir: string;
  apiKey: string | undefined;
  agentPorts: [number, number];
  isolation: 'bwrap' | 'none';
  /** Upstream backends (decision 0014), in order; empty in local mode. */
  upstreams: UpstreamConfig[];
  /** Where creates that name no backend go: `local` or an upstream's name. */
  defaultBackend: string;
  rateLimit: number;
  warmPool: number;
  corsOrigin: string | undefined;
  publicUrl: string | undefined;
}

const FLAGS = {
  host: { env: 'HOPDECK_HOST' },
  port: { env: 'HOPDECK_PORT' },
  'frames-port': { env: 'HOPDECK_FRAMES_PORT' },
  'data-dir': { env: 'HOPDECK_DATA_DIR' },
  'api-key': { env: 'HOPDECK_API_KEY' },
  'agent-ports': { env: 'HOPDECK_AGENT_PORTS' },
  isolation: { env: 'HOPDECK_ISOLATION' },
  upstream: { env: 'HOPDECK_UPSTREAM' },
  'upstream-key-file': { env: 'HOPDECK_UPSTREAM_KEY_FILE' },
  'default-backend': { env: 'HOPDECK_DEFAULT_BACKEND' },
  'rate-limit': { env: 'HOPDECK_RATE_LIMIT' },
  'warm-pool': { env: 'HOPDECK_WARM_POOL' },
  'cors-origin': { env: 'HOPDECK_CORS_ORIGIN' },
  'public-url': { env: 'HOPDECK_PUBLIC_URL' },
} as const;

export const USAGE = `Usage: hopdeck serve [options]

  --host <addr>          listen address (HOPDECK_HOST, default 127.0.0.1)
  --port <n>             control plane and dashboard port (HOPDECK_PORT, default 7070)
  --frames-port <n>      origin for untrusted HTML outputs (HOPDECK_FRAMES_PORT, default port+1)
  --data-dir <path>      where the store and sandboxes live (HOPDECK_DATA_DIR, default ~/.hopdeck)
  --api-key <key>        seed this API key (HOPDECK_API_KEY)
  --agent-ports <a-b>    ports for sandbox gateways (HOPDECK_AGENT_PORTS, default 7100-7999)
  --isolation <mode>     bwrap | none (HOPDECK_ISOLATION, default bwrap)
  --upstream [name=]<url>
                         a HopX-compatible cloud (HopX, or another Hopdeck) to serve sandboxes from
                         besides the local ones; repeat for several (HOPDECK_UPSTREAM, comma-separated).
                         Keys never go on the command line: HOPX_API_KEY (the first upstream),
                         HOPDECK_UPSTREAM_KEY_<NAME>, or --upstream-key-file
  --upstream-key-file <path>
                         lines name=key, mode 600 (HOPDECK_UPSTREAM_KEY_FILE)
  --default-backend <name>
                         where creates without "backend" go: local or an upstream's name
                         (HOPDECK_DEFAULT_BACKEND, default the first upstream, else local)
  --rate-limit <n>       requests per minute per key or session (HOPDECK_RATE_LIMIT, default 6000)
  --warm-pool <n>        started spare sandboxes per template (HOPDECK_WARM_POOL, default 1)
  --cors-origin <origin> extra dashboard origin, e.g. the Vite dev server (HOPDECK_CORS_ORIGIN)
  --public-url <url>     the address clients use, e.g. https://hopdeck.example.com behind a TLS
                         proxy with *.hopdeck.example.com: sandboxes become 7777-<id>.<host>, ports
                         <port>-<id>.<host>, frames frames.<host>, all on --port (HOPDECK_PUBLIC_URL)
`;

export class ConfigError extends Error {}

function defaultDataDir(): string {
  const home = homedir();
  return home && existsSync(home) ? join(home, '.hopdeck') : resolve('.hopdeck');
}

const camel = (flag: string) => flag.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());

/** Parse `serve` arguments (without the `serve` word) and the environment into a Config. */
export function parseConfig(argv: string[], env: NodeJS.ProcessEnv = process.env): Config {
  let values: Record<string, string | boolean | string[] | undefined>;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        ...Object.fromEntries(Object.keys(FLAGS).map((f) => [f, { type: 'string' as const }])),
        upstream: { type: 'string', multiple: true },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (err) {
    throw new ConfigError((err as Error).message);
  }
  if (values.help) throw new ConfigError('help');
  const raw: Record<string, string> = {};
  for (const [flag, { env: name }] of Object.entries(FLAGS)) {
    if (flag === 'upstream' || flag === 'upstream-key-file' || flag === 'default-backend') continue;
    const v = values[flag] ?? env[name];
    if (typeof v === 'string' && v !== '') raw[camel(flag)] = v;
  }
  const parsed = ConfigSchema.safeParse(raw);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => {
      const key = String(i.path[0] ?? '');
      const flag = key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
      return `--${flag}: ${i.message}`;
    });
    throw new ConfigError(lines.join('\n'));
  }
  const c = parsed.data;
  const flagOrEnv = (flag: keyof typeof FLAGS): string | undefined => {
    const v = values[flag] ?? env[FLAGS[flag].env];
    return typeof v === 'string' && v !== '' ? v : undefined;
  };
  const upstreamSpecs = (values.upstream as string[] | undefined) ?? [env.HOPDECK_UPSTREAM ?? ''];
  let upstreams: UpstreamConfig[];
  let backend: string;
  try {
    upstreams = parseUpstreams(upstreamSpecs, env, flagOrEnv('upstream-key-file'));
    backend = defaultBackend(flagOrEnv('default-backend'), upstreams);
  } catch (err) {
    if (err instanceof UpstreamConfigError) throw new ConfigError(err.message);
    throw err;
  }
  return {
    host: c.host,
    port: c.port,
    framesPort: c.framesPort ?? c.port + 1,
    dataDir: resolve(c.dataDir ?? defaultDataDir()),
    apiKey: c.apiKey,
    agentPorts: c.agentPorts,
    isolation: c.isolation,
    upstreams,
    defaultBackend: backend,
    rateLimit: c.rateLimit,
    warmPool: c.warmPool,
    corsOrigin: c.corsOrigin,
    publicUrl: c.publicUrl,
  };
}
