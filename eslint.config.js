import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';

// Browser-safe layers: they must run in a browser and a worker as they are.
// src/ui/web is bundled for the browser (scripts/build-ui.ts), so Node is out there too.
const isomorphic = [
  'src/ui/web/**',
  'src/core/**',
  'src/space/**',
  'src/strategy/**',
  'src/numeric/**',
  'src/objective/**',
  'src/graph/**',
  'src/predict/**',
  'src/prune/**',
  'src/browser.ts',
];

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'coverage/**', 'test-output/**', 'naslab-runs/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['src/ui/web/**'],
    ignores: ['**/*.test.ts'],
    languageOptions: { globals: { ...globals.browser } },
  },
  {
    files: isomorphic,
    ignores: ['**/*.test.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['node:*', 'fs', 'path', 'os', 'zlib', 'child_process', 'better-sqlite3'],
              message: 'this layer must run in a browser: no Node built-ins.',
            },
          ],
        },
      ],
    },
  },
);
