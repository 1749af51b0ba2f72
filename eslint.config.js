import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import reactHooks from 'eslint-plugin-react-hooks';
import globals from 'globals';
import { builtinModules } from 'node:module';

/**
 * Layer rules from ARCHITECTURE.md: what each folder may import. Each rule is a regex on the
 * import source that matches a forbidden layer at any depth (`../main/x`, `../../../main/x`),
 * so moving a file one folder deeper cannot slip past it.
 */
const layer = (...names) => `(^|/)(${names.join('|')})(/|$)`;
const builtins = `^(node:|(${builtinModules.filter((m) => !m.startsWith('_')).join('|')})(/|$))`;
const banned = (regexes, message) => ({
  'no-restricted-imports': ['error', { patterns: regexes.map((regex) => ({ regex, message })) }],
});
/** `no-restricted-imports` with both import paths and source patterns (one rule entry per block). */
const restricted = ({ paths = [], patterns = [] }, message) => ({
  'no-restricted-imports': [
    'error',
    { paths, patterns: patterns.map((regex) => ({ regex, message })) },
  ],
});
/** Raw IPC stays in the IPC router (main) and the preload (renderer side). */
const rawIpc = {
  name: 'electron',
  importNames: ['ipcMain', 'ipcRenderer'],
  message: 'Only main/electron/ipc-router.ts (ipcMain) and preload/ (ipcRenderer) touch raw IPC.',
};
/**
 * The pure halves of shell modules (a menu template, a sender check, window bounds): each sits
 * beside its shell file in main/electron/ and is electron-free, so plain Node tests it.
 */
export const pureHalves = [
  'main/electron/trusted-sender.ts',
  'main/electron/tray-menu.ts',
  'main/electron/app-menu-template.ts',
  'main/electron/window-bounds.ts',
  'main/electron/navigation-queue.ts',
];
const rendererLayers = [layer('main', 'core', 'agent', 'preload'), '^electron(/|$)', builtins];
const rendererLayersMessage =
  'The renderer talks to main only through window.nightshift and imports contract/.';
const electronShellLayers = [layer('renderer', 'preload', 'agent')];
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
    // Only zod and sibling files: anything else (another layer, node:, electron, react) is out.
    rules: banned(['^(?!zod(/|$)|\\./)'], 'contract/ imports nothing but zod.'),
  },
  {
    files: ['core/**/*.ts'],
    rules: banned(
      [layer('main', 'agent', 'renderer', 'preload'), '^electron(/|$)', '^react(-dom)?(/|$)'],
      'core/ depends only on contract/.',
    ),
  },
  {
    files: ['agent/**/*.ts'],
    rules: banned(
      [layer('main', 'renderer', 'preload'), '^electron(/|$)', '^react(-dom)?(/|$)'],
      'agent/ depends only on core/ and contract/.',
    ),
  },
  {
    files: ['main/services/**/*.ts', 'main/commands/**/*.ts'],
    // `electron` as a package or as the main/electron folder, at any depth.
    rules: banned(
      [layer('electron', 'server', 'renderer', 'agent', 'preload')],
      'main/services and main/commands are plain Node: no electron, no shells.',
    ),
  },
  {
    files: ['main/server/**/*.ts'],
    rules: banned(
      [layer('electron', 'renderer', 'preload')],
      'The browser shell does not import electron.',
    ),
  },
  {
    files: ['main/electron/**/*.ts'],
    rules: restricted(
      { paths: [rawIpc], patterns: electronShellLayers },
      'main/electron reaches the renderer only through IPC.',
    ),
  },
  {
    files: ['main/electron/ipc-router.ts'],
    rules: restricted(
      { patterns: electronShellLayers },
      'main/electron reaches the renderer only through IPC.',
    ),
  },
  {
    files: pureHalves,
    rules: banned(
      ['^electron(/|$)', ...electronShellLayers],
      'A pure half of a shell module stays free of electron (plain Node tests it).',
    ),
  },
  {
    files: ['preload/**/*.ts'],
    rules: banned(
      [layer('main', 'core', 'renderer', 'agent'), builtins],
      'preload depends only on contract/ (and electron).',
    ),
  },
  {
    files: ['renderer/**/*.{ts,tsx}'],
    languageOptions: { globals: { ...globals.browser } },
    plugins: { 'react-hooks': reactHooks },
    rules: {
      ...reactHooks.configs.recommended.rules,
      'react-hooks/set-state-in-effect': 'off',
      ...banned(rendererLayers, rendererLayersMessage),
    },
  },
  {
    // One write path: components call actions/, which call the API and update the stores.
    files: ['renderer/src/components/**/*.{ts,tsx}'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            ...rendererLayers.map((regex) => ({ regex, message: rendererLayersMessage })),
            {
              regex: '(^|/)api(\\.ts)?$',
              message: 'Components reach main through actions/, never through the API itself.',
            },
          ],
        },
      ],
    },
  },
);
