import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import reactHooks from 'eslint-plugin-react-hooks';
import globals from 'globals';

/** Layer rules from ARCHITECTURE.md: what each folder may import. */
const banned = (group, message) => ({
  'no-restricted-imports': ['error', { patterns: [{ group, message }] }],
});
const noElectron = {
  paths: [{ name: 'electron', message: 'Only main/electron and preload import electron.' }],
};

export default tseslint.config(
  { ignores: ['node_modules/**', 'out/**', 'dist/**', 'test-results/**', '.tmp/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      globals: { ...globals.node },
      parserOptions: { tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
      'no-restricted-imports': ['error', noElectron],
    },
  },
  {
    files: ['contract/**/*.ts'],
    rules: banned(
      ['../core/*', '../main/*', '../agent/*', '../renderer/*', '../preload/*', 'electron'],
      'contract/ imports nothing but zod.',
    ),
  },
  {
    files: ['core/**/*.ts'],
    rules: banned(
      ['../main/*', '../agent/*', '../renderer/*', '../preload/*', 'electron', 'react'],
      'core/ depends only on contract/.',
    ),
  },
  {
    files: ['agent/**/*.ts'],
    rules: banned(
      ['../main/*', '../renderer/*', '../preload/*', 'electron', 'react'],
      'agent/ depends only on core/ and contract/.',
    ),
  },
  {
    files: ['main/services/**/*.ts'],
    rules: banned(
      [
        '../electron/*',
        '../../electron/*',
        '../server/*',
        '../../renderer/*',
        '../../agent/*',
        'electron',
      ],
      'main/services is plain Node: no electron, no shells.',
    ),
  },
  {
    files: ['main/server/**/*.ts'],
    rules: banned(
      ['../electron/*', '../../renderer/*', 'electron'],
      'The browser shell does not import electron.',
    ),
  },
  {
    files: ['main/electron/**/*.ts', 'preload/**/*.ts'],
    rules: { 'no-restricted-imports': 'off' },
  },
  {
    files: ['preload/**/*.ts'],
    rules: banned(
      ['../main/*', '../core/*', '../renderer/*', '../agent/*'],
      'preload depends only on contract/.',
    ),
  },
  {
    files: ['renderer/**/*.{ts,tsx}'],
    languageOptions: { globals: { ...globals.browser } },
    plugins: { 'react-hooks': reactHooks },
    rules: {
      ...reactHooks.configs.recommended.rules,
      'react-hooks/set-state-in-effect': 'off',
      ...banned(
        [
          '../main/*',
          '../../main/*',
          '../core/*',
          '../../core/*',
          '../agent/*',
          '../../agent/*',
          'electron',
          'node:*',
        ],
        'The renderer talks to main only through window.nightshift and imports contract/.',
      ),
    },
  },
);
