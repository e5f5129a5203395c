// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import reactHooks from 'eslint-plugin-react-hooks';
import reactRefresh from 'eslint-plugin-react-refresh';
import { importX, createNodeResolver } from 'eslint-plugin-import-x';
import { fileURLToPath } from 'node:url';
import globals from 'globals';

const features = ['sandboxes', 'templates', 'run', 'settings', 'auth', 'workspace'];
const here = (p) => fileURLToPath(new URL(p, import.meta.url));

export default tseslint.config(
  { ignores: ['dist', 'node_modules', 'src/routeTree.gen.ts', 'test-results', 'playwright-report'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.{ts,tsx}'],
    languageOptions: { ecmaVersion: 2023 },
    plugins: { 'import-x': importX },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
  {
    files: ['src/**/*.{ts,tsx}'],
    languageOptions: { globals: globals.browser },
    // Resolve the `@/` and `@contract/` aliases, or the boundary rules below never see those imports.
    settings: {
      'import-x/resolver-next': [
        createNodeResolver({
          alias: { '@contract': [here('./contract')], '@': [here('./src')] },
          extensions: ['.ts', '.tsx', '.js', '.mjs', '.json'],
        }),
      ],
    },
    plugins: { 'react-hooks': reactHooks, 'react-refresh': reactRefresh },
    rules: {
      ...reactHooks.configs.recommended.rules,
      'react-refresh/only-export-components': ['warn', { allowConstantExport: true }],
      // Boundaries (bulletproof-react): the SPA never imports the engine, features never import
      // each other or route files, shared layers never import features.
      'import-x/no-restricted-paths': [
        'error',
        {
          zones: [
            { target: './src', from: './server', message: 'The SPA never imports the engine.' },
            ...features.map((f) => ({
              target: `./src/features/${f}`,
              from: './src/features',
              except: [`./${f}`],
              message: 'Features do not import each other; compose them in routes.',
            })),
            { target: './src/features', from: './src/routes', message: 'Features never import routes.' },
            {
              target: ['./src/api', './src/components', './src/lib'],
              from: ['./src/features', './src/routes'],
              message: 'Shared layers never import features or routes.',
            },
          ],
        },
      ],
    },
  },
  {
    // The shared contract (data model, lifecycle, wire format) depends on nothing of either side.
    files: ['contract/**/*.ts'],
    plugins: { 'import-x': importX },
    rules: {
      'import-x/no-restricted-paths': [
        'error',
        {
          zones: [
            {
              target: './contract',
              from: ['./src', './server'],
              message: 'The contract imports neither side.',
            },
          ],
        },
      ],
    },
  },
  {
    // The engine's layers (docs/decisions/0001): the agent runs inside a sandbox and is bundled on
    // its own, so it imports nothing of the engine but the contract (data model, wire format). The
    // store is the bottom layer; runtime and gateway know nothing of the control plane or each
    // other; the control plane composes them and never imports agent code. Tests and test helpers
    // may cross (they start whole engines).
    files: ['server/**/*.ts'],
    ignores: ['server/**/*.test.ts', 'server/**/testing/**', 'server/test/**', 'server/bench/**'],
    // no-cycle reads the imported modules, so it needs to know they are TypeScript.
    settings: {
      'import-x/parsers': { '@typescript-eslint/parser': ['.ts'] },
      'import-x/extensions': ['.ts', '.js', '.mjs'],
    },
    rules: {
      'import-x/no-cycle': 'error',
      'import-x/no-restricted-paths': [
        'error',
        {
          zones: [
            {
              target: './server/agent',
              from: './server',
              except: ['./agent'],
              message: 'The agent bundle imports only server/agent and contract/.',
            },
            {
              target: './server/store',
              from: [
                './server/control-plane',
                './server/gateway',
                './server/runtime',
                './server/agent',
                './server/app.ts',
                './server/main.ts',
              ],
              message: 'The store is the bottom layer.',
            },
            {
              target: './server/runtime',
              from: [
                './server/control-plane',
                './server/gateway',
                './server/store',
                './server/auth',
                './server/app.ts',
                './server/main.ts',
                './server/errors.ts',
              ],
              message: 'The runtime knows sandboxes, not the API, the store or the gateway.',
            },
            {
              target: './server/runtime',
              from: './server/agent',
              except: ['./config.ts'],
              message: 'The runtime shares only the agent config type with the agent.',
            },
            {
              target: './server/gateway',
              from: [
                './server/control-plane',
                './server/store',
                './server/runtime',
                './server/agent',
                './server/app.ts',
                './server/main.ts',
                './server/errors.ts',
              ],
              message: 'The gateway gets what it needs (tokens, lookup, history sink) injected by app.ts.',
            },
            {
              target: './server/control-plane',
              from: './server/agent',
              message: 'The control plane reaches agents through runtime/agent-client.ts or the gateway.',
            },
            {
              target: './server/auth',
              from: ['./server/control-plane', './server/gateway', './server/runtime', './server/agent'],
              message: 'Auth sits below the control plane and the gateway.',
            },
            {
              target: './server/lib',
              from: './server',
              except: ['./lib'],
              message: 'server/lib holds leaf helpers that import nothing of the engine.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['src/routes/**/*.tsx'],
    rules: { 'react-refresh/only-export-components': 'off' },
  },
  {
    // Plain scripts the engine serves as they are (e.g. the pre-paint theme script).
    files: ['public/**/*.js'],
    languageOptions: { globals: globals.browser, sourceType: 'script' },
  },
  {
    files: ['server/**/*.{ts,mjs,js}', 'e2e/**/*.ts', '.ci/**/*.mjs', '*.config.{ts,js}'],
    languageOptions: { globals: globals.node },
  },
);
