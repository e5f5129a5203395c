/**
 * The HopX data model, defined once and used by both the dashboard (src/) and the engine (server/).
 * Field names, statuses and shapes follow ../shared/hopx/data-model.md and api-digest.md; where the
 * official SDKs disagree with the docs, the SDKs win (see docs/decisions/0002-hopx-contract.md).
 */
import { z } from 'zod';

export const SANDBOX_STATUSES = ['creating', 'running', 'stopped', 'paused', 'error', 'deleted'] as const;
export const SandboxStatus = z.enum(SANDBOX_STATUSES);
export type SandboxStatus = z.infer<typeof SandboxStatus>;

export const LANGUAGES = ['python', 'javascript', 'bash'] as const;
export const Language = z.enum(LANGUAGES);
export type Language = z.infer<typeof Language>;
/** Aliases the official SDKs and docs use, mapped to the three runtimes the engine ships. */
export const LANGUAGE_ALIASES: Record<string, Language> = {
  python: 'python',
  python3: 'python',
  javascript: 'javascript',
  js: 'javascript',
  node: 'javascript',
  nodejs: 'javascript',
  bash: 'bash',
  sh: 'bash',
  shell: 'bash',
};

/** Timestamps: RFC 3339, whole seconds, `Z` (Python < 3.11 cannot parse fractions). */
export const Timestamp = z.string();

export const SandboxResources = z.object({
  vcpu: z.number().int(),
  memory_mb: z.number().int(),
  disk_mb: z.number().int(),
});
export type SandboxResources = z.infer<typeof SandboxResources>;

export const TemplateResources = z.object({
  vcpu: z.number().int(),
  memory_mb: z.number().int(),
  disk_gb: z.number().int(),
});
export type TemplateResources = z.infer<typeof TemplateResources>;

export const Sandbox = z.object({
  id: z.string(),
  object: z.literal('sandbox'),
  status: SandboxStatus,
  template_id: z.string(),
  template_name: z.string(),
  organization_id: z.number().int(),
  node_id: z.string(),
  region: z.string(),
  public_host: z.string(),
  direct_url: z.string(),
  preview_url: z.string(),
  resources: SandboxResources,
  internet_access: z.boolean(),
  live_mode: z.boolean(),
  timeout_seconds: z.number().int().nullable(),
  expires_at: Timestamp.nullable(),
  created_at: Timestamp,
  updated_at: Timestamp,
  auth_token: z.string().optional(),
  token_expires_at: Timestamp.optional(),
  /** Engine extension: how the sandbox is isolated (`bwrap` or `none`); the dashboard warns on `none`. */
  isolation: z.string().optional(),
  /** Engine extension: why a sandbox is in `error`. */
  error_message: z.string().nullable().optional(),
  /** Engine extension: the backend it runs on, `local` or an upstream's name (decision 0014). */
  backend: z.string().optional(),
  request_id: z.string().optional(),
});
export type Sandbox = z.infer<typeof Sandbox>;

export const TEMPLATE_STATUSES = ['pending', 'building', 'active', 'failed', 'archived'] as const;

export const Template = z.object({
  id: z.string(),
  object: z.literal('template'),
  name: z.string(),
  display_name: z.string(),
  description: z.string(),
  category: z.string(),
  language: z.string(),
  icon: z.string(),
  default_resources: TemplateResources,
  min_resources: TemplateResources,
  max_resources: TemplateResources,
  features: z.array(z.string()),
  tags: z.array(z.string()),
  popularity_score: z.number().int(),
  docs_url: z.string(),
  is_active: z.boolean(),
  is_public: z.boolean(),
  status: z.enum(TEMPLATE_STATUSES),
  build_id: z.string().nullable(),
  organization_id: z.string().nullable(),
  created_at: Timestamp,
  updated_at: Timestamp,
  /** Engine extension: the backend whose catalog it comes from (decision 0014). */
  backend: z.string().optional(),
  request_id: z.string().optional(),
});
export type Template = z.infer<typeof Template>;

export function listOf<T extends z.ZodType>(item: T) {
  return z.object({
    object: z.literal('list'),
    data: z.array(item),
    has_more: z.boolean(),
    next_cursor: z.string().nullable(),
    url: z.string(),
    request_id: z.string(),
    /** Engine extension: backends that could not be listed for this page (decision 0014). */
    unavailable_backends: z.array(z.object({ name: z.string(), message: z.string() })).optional(),
  });
}
export const SandboxList = listOf(Sandbox);
export type SandboxList = z.infer<typeof SandboxList>;
export const TemplateList = listOf(Template);
export type TemplateList = z.infer<typeof TemplateList>;

/** The error envelope every engine error uses (flat, with `message` duplicated for the JS SDK). */
export const ErrorEnvelope = z.object({
  error: z.string(),
  message: z.string(),
  code: z.string(),
  request_id: z.string(),
  details: z.record(z.string(), z.unknown()).optional(),
  path: z.string().optional(),
  timestamp: z.string().optional(),
  retry_after: z.number().optional(),
  /** On 409 lifecycle conflicts: the sandbox's current status. */
  status: z.string().optional(),
});
export type ErrorEnvelope = z.infer<typeof ErrorEnvelope>;

/**
 * Environment variables, as a process receives them: a name is a shell identifier, a value is text
 * without NUL (execve ends a string at NUL, so every later command of the sandbox would fail) and
 * without unpaired UTF-16 surrogates (they have no UTF-8 form). The engine answers 400 for either,
 * and the dashboard's create dialog checks the same schema before sending.
 */
export const ENV_NAME_RE = /^[A-Za-z_][A-Za-z0-9_]*$/;
export const EnvVarName = z
  .string()
  .min(1, 'Variable names cannot be empty')
  .max(256, 'Variable names are at most 256 characters')
  .regex(ENV_NAME_RE, 'Variable names use letters, digits and _ and do not start with a digit');
const LONE_SURROGATE = /[\uD800-\uDFFF]/u;
export const EnvVarValue = z
  .string()
  .max(32_768, 'Variable values are at most 32768 characters')
  .refine((v) => !v.includes('\0'), 'Variable values cannot contain a NUL byte (\\0)')
  .refine(
    (v) => !LONE_SURROGATE.test(v),
    'Variable values must be valid UTF-8 text (no unpaired surrogates)',
  );
export const EnvVars = z.record(EnvVarName, EnvVarValue);
export type EnvVars = z.infer<typeof EnvVars>;

/** Why one variable would be refused (null when it is fine): the dialog's per-row message. */
export function envVarProblem(name: string, value: string): string | null {
  const n = EnvVarName.safeParse(name);
  if (!n.success) return n.error.issues[0]?.message ?? 'invalid name';
  const v = EnvVarValue.safeParse(value);
  return v.success ? null : (v.error.issues[0]?.message ?? 'invalid value');
}

export const CreateSandboxRequest = z
  .object({
    template_name: z.string().min(1).max(128).optional(),
    template_id: z.union([z.string().min(1).max(128), z.number().int()]).optional(),
    region: z.string().min(1).max(64).optional(),
    timeout_seconds: z
      .number()
      .int()
      .positive()
      .max(30 * 24 * 3600)
      .nullable()
      .optional(),
    internet_access: z.boolean().optional(),
    env_vars: EnvVars.optional(),
    vcpu: z.number().int().positive().optional(),
    memory_mb: z.number().int().positive().optional(),
    disk_gb: z.number().int().positive().optional(),
    /** Engine extension: where to create it, `local` or an upstream's name; default: the engine's default backend. */
    backend: z.string().min(1).max(64).optional(),
  })
  .refine((b) => b.template_name !== undefined || b.template_id !== undefined, {
    message: 'template_name or template_id is required',
  });
export type CreateSandboxRequest = z.infer<typeof CreateSandboxRequest>;

export const SetTimeoutRequest = z.object({
  timeout_seconds: z
    .number()
    .int()
    .positive()
    .max(30 * 24 * 3600),
});

/** One rich output, as in the data model (`type` is a MIME type). */
export const RichOutput = z.object({
  type: z.string(),
  format: z.enum(['base64', 'text', 'json', 'html']),
  data: z.unknown(),
  metadata: z.record(z.string(), z.unknown()).optional(),
});
export type RichOutput = z.infer<typeof RichOutput>;

export const ExecuteRequest = z.object({
  code: z.string().max(1_000_000),
  language: z.string().optional(),
  timeout: z.number().positive().max(3600).optional(),
  workdir: z.string().max(4096).optional(),
  working_dir: z.string().max(4096).optional(),
  env: EnvVars.optional(),
});
export type ExecuteRequest = z.infer<typeof ExecuteRequest>;

export const ExecuteResult = z.object({
  success: z.boolean(),
  stdout: z.string(),
  stderr: z.string(),
  exit_code: z.number().int(),
  execution_time: z.number(),
  language: z.string(),
  timestamp: Timestamp,
  execution_id: z.string().optional(),
  rich_outputs: z.array(RichOutput),
  /** Python exception, when the kernel raised one. */
  error: z.object({ ename: z.string(), evalue: z.string(), traceback: z.array(z.string()) }).optional(),
  truncated: z.boolean().optional(),
  /** The run hit its `timeout` (exit code 124); the run history records it as `timeout`. */
  timed_out: z.boolean().optional(),
  png: z.string().optional(),
  html: z.string().optional(),
  svg: z.string().optional(),
  json: z.unknown().optional(),
  markdown: z.string().optional(),
  result: z.string().optional(),
});
export type ExecuteResult = z.infer<typeof ExecuteResult>;

/** Frames the agent sends on `/execute/stream` (JSON text frames). */
export const StreamFrame = z.discriminatedUnion('type', [
  z.object({ type: z.literal('start'), execution_id: z.string(), timestamp: Timestamp }),
  z.object({ type: z.literal('stdout'), data: z.string(), timestamp: Timestamp }),
  z.object({ type: z.literal('stderr'), data: z.string(), timestamp: Timestamp }),
  // `type` names the frame, so the output's MIME type travels as `mime_type`.
  z.object({
    type: z.literal('rich_output'),
    mime_type: z.string(),
    format: RichOutput.shape.format,
    data: z.unknown(),
    metadata: z.record(z.string(), z.unknown()).optional(),
    timestamp: Timestamp,
  }),
  z.object({
    type: z.literal('result'),
    exit_code: z.number().int(),
    execution_time: z.number(),
    truncated: z.boolean().optional(),
    timestamp: Timestamp,
  }),
  z.object({ type: z.literal('error'), error: z.string(), code: z.string(), timestamp: Timestamp }),
  z.object({ type: z.literal('complete'), success: z.boolean() }),
]);
export type StreamFrame = z.infer<typeof StreamFrame>;

/** Run history, kept by the engine per sandbox (engine extension: /v1/sandboxes/{id}/executions). */
export const Execution = z.object({
  id: z.string(),
  object: z.literal('execution'),
  sandbox_id: z.string(),
  language: z.string(),
  code: z.string(),
  status: z.enum(['running', 'completed', 'failed', 'killed', 'timeout']),
  stdout: z.string(),
  stderr: z.string(),
  exit_code: z.number().int().nullable(),
  execution_time: z.number().nullable(),
  rich_outputs: z.array(RichOutput),
  truncated: z.boolean(),
  created_at: Timestamp,
  completed_at: Timestamp.nullable(),
});
export type Execution = z.infer<typeof Execution>;
export const ExecutionList = listOf(Execution);
export type ExecutionList = z.infer<typeof ExecutionList>;

/** Named API keys (engine extension, for the settings page). The secret is shown once, at creation. */
export const ApiKeyInfo = z.object({
  id: z.string(),
  object: z.literal('api_key'),
  name: z.string(),
  prefix: z.string(),
  created_at: Timestamp,
  last_used_at: Timestamp.nullable(),
  revoked_at: Timestamp.nullable(),
});
export type ApiKeyInfo = z.infer<typeof ApiKeyInfo>;
export const ApiKeyList = listOf(ApiKeyInfo);
export const CreatedApiKey = ApiKeyInfo.extend({ key: z.string() });

/** `GET /health` of the engine. */
export const EngineHealth = z.object({
  status: z.literal('ok'),
  version: z.string(),
  mode: z.enum(['local', 'upstream']),
  upstream: z.string().nullable(),
  isolation: z.enum(['bwrap', 'none']),
  cgroups: z.enum(['v2', 'v1', 'none']),
  /** How sandboxes with internet access reach it: a private user-mode network, or the host's. */
  network: z.enum(['slirp4netns', 'host']),
  sandboxes: z.object({ running: z.number().int(), total: z.number().int() }),
  frames_origin: z.string(),
  /** Regions a sandbox can be created in (the create dialog offers these). */
  regions: z.array(z.string()).optional(),
  uptime_seconds: z.number(),
  request_id: z.string().optional(),
});
export type EngineHealth = z.infer<typeof EngineHealth>;

/** Engine extension (decision 0014): one backend the engine serves sandboxes from. `GET /v1/backends`. */
export const Backend = z.object({
  object: z.literal('backend'),
  /** `local` for the engine's own sandboxes, else the upstream's configured name. */
  name: z.string(),
  kind: z.enum(['local', 'upstream']),
  /** The upstream's base URL (never its key); null for `local`. */
  url: z.string().nullable(),
  /** Creates that name no backend go here. */
  default: z.boolean(),
  status: z.enum(['ok', 'degraded', 'down']),
  /** Round trip of the last health probe; null before the first or when down. */
  latency_ms: z.number().nullable(),
  checked_at: Timestamp.nullable(),
  /** What is wrong when not `ok`. */
  message: z.string().nullable(),
});
export type Backend = z.infer<typeof Backend>;
export const BackendList = z.object({
  object: z.literal('list'),
  data: z.array(Backend),
  request_id: z.string().optional(),
});
export type BackendList = z.infer<typeof BackendList>;
