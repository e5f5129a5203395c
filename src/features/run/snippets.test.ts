import { describe, expect, it } from 'vitest';
import { curlSnippet, sdkSnippet, shellQuote } from './snippets';

describe('snippets', () => {
  it('quotes code with single quotes safely for a shell', () => {
    expect(shellQuote(`print('hi')`)).toBe(`'print('\\''hi'\\'')'`);
  });

  it('curl posts the code to the agent and takes the token from the environment, never inline', () => {
    const s = curlSnippet('http://127.0.0.1:7301/', `print('a')`, 'python');
    expect(s).toContain(`'http://127.0.0.1:7301/execute'`);
    expect(s).toContain('Bearer $SANDBOX_TOKEN');
    expect(s).toContain(`"code":"print('\\''a'\\'')"`);
  });

  it('the SDK snippet connects to the engine with the key from the environment', () => {
    const s = sdkSnippet('http://127.0.0.1:7070', 'sandbox_x', 'print(1)', 'python');
    expect(s).toContain(`Sandbox.connect("sandbox_x", process.env.HOPX_API_KEY, "http://127.0.0.1:7070")`);
    expect(s).toContain(`runCode("print(1)", { language: "python" })`);
  });
});
