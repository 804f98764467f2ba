// Lint rules double as the architecture check of DESIGN.md: each layer may import only what it is allowed.
// ESLint lets the last matching block win for a rule, so every block lists its full set of bans.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const ban = (groups) => ({
  'no-restricted-imports': ['error', { patterns: groups.map(([group, message]) => ({ group, message })) }],
});

const notInfraOrTests = [
  [['**/infra/**', '**/test/**'], 'Product code must not depend on stand-ins or tests.'],
];
const sdks = ['googleapis', 'google-auth-library', '@google-cloud/*'];
const adapters = ['google', 'creatio', 'firestore', 'pubsub'];
const adapterBlock = (name) => ({
  files: [`shared/adapters/${name}/**/*.ts`],
  rules: ban([
    [
      adapters.filter((a) => a !== name).flatMap((a) => [`../${a}/*`, `**/adapters/${a}/**`]),
      'Adapters never import each other.',
    ],
    ...notInfraOrTests,
  ]),
});

export default tseslint.config(
  { ignores: ['build/**', 'coverage/**', 'node_modules/**', '.local/**', '.stryker-tmp/**', 'reports/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      globals: {
        process: 'readonly',
        console: 'readonly',
        Buffer: 'readonly',
        URL: 'readonly',
        URLSearchParams: 'readonly',
        setTimeout: 'readonly',
        clearTimeout: 'readonly',
        setInterval: 'readonly',
        clearInterval: 'readonly',
        setImmediate: 'readonly',
        fetch: 'readonly',
        AbortController: 'readonly',
        AbortSignal: 'readonly',
        TextEncoder: 'readonly',
        TextDecoder: 'readonly',
        Response: 'readonly',
        Request: 'readonly',
        Headers: 'readonly',
      },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
  {
    files: ['shared/**/*.ts', 'functions/**/*.ts'],
    rules: ban(notInfraOrTests),
  },
  {
    // The engine is pure: no I/O, no SDKs, no environment, no clock, nothing outside shared/sync.
    files: ['shared/sync/**/*.ts'],
    rules: {
      ...ban([
        [['node:*', 'fs', 'http', 'https', 'net', 'crypto', 'zod', ...sdks], 'The engine does no I/O.'],
        [['../*', '../../*'], 'The engine imports nothing outside shared/sync.'],
      ]),
      'no-restricted-globals': ['error', 'process', 'fetch', 'setTimeout', 'setInterval'],
      'no-restricted-properties': [
        'error',
        { object: 'Date', property: 'now', message: 'Time is passed in.' },
      ],
    },
  },
  {
    // Use cases and ports know the engine and the ports, never a concrete adapter or SDK.
    files: ['shared/*.ts'],
    ignores: ['shared/compose.ts'],
    rules: ban([
      [['./adapters/*', './adapters/**', ...sdks], 'Only shared/compose.ts builds adapters.'],
      ...notInfraOrTests,
    ]),
  },
  ...adapters.map(adapterBlock),
  {
    // Entry points are thin: they reach adapters only through shared/compose.ts.
    files: ['functions/**/*.ts'],
    rules: ban([
      [
        [
          '../shared/adapters/**',
          ...sdks.filter((s) => s !== '@google-cloud/*'),
          '@google-cloud/firestore',
          '@google-cloud/pubsub',
        ],
        'Functions call use cases; compose.ts builds adapters.',
      ],
      ...notInfraOrTests,
    ]),
  },
);
