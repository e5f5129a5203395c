/**
 * A past run as something to paste elsewhere: a curl command against the sandbox's agent, or an
 * @hopx-ai/sdk snippet. Secrets are never embedded: the token and key come from the environment.
 */
import type { Language } from '@contract/schemas';

/** Single-quotes a string for a POSIX shell. */
export function shellQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

export function curlSnippet(publicHost: string, code: string, language: Language): string {
  const body = JSON.stringify({ code, language, timeout: 60 });
  return [
    '# SANDBOX_TOKEN: the sandbox JWT (POST /v1/sandboxes/{id}/token/refresh gives a fresh one)',
    `curl -sS -X POST ${shellQuote(`${publicHost.replace(/\/+$/, '')}/execute`)} \\`,
    `  -H "Authorization: Bearer $SANDBOX_TOKEN" \\`,
    `  -H 'Content-Type: application/json' \\`,
    `  --data-binary ${shellQuote(body)}`,
  ].join('\n');
}

export function sdkSnippet(
  engineOrigin: string,
  sandboxId: string,
  code: string,
  language: Language,
): string {
  return [
    "import { Sandbox } from '@hopx-ai/sdk';",
    '',
    `const sandbox = await Sandbox.connect(${JSON.stringify(sandboxId)}, process.env.HOPX_API_KEY, ${JSON.stringify(engineOrigin)});`,
    `const result = await sandbox.runCode(${JSON.stringify(code)}, { language: ${JSON.stringify(language)} });`,
    'console.log(result.stdout);',
    'if (result.stderr) console.error(result.stderr);',
  ].join('\n');
}
