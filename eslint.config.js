import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/**', 'dist/**', 'data/**', 'coverage/**', 'artifacts/**', 'examples/**/*.ipynb', 'web/src/gql/**', 'docs/snippets/gql/**', 'docs/snippets/__generated__/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    // the console runs in browsers
    files: ['web/src/**/*.{ts,tsx}'],
    languageOptions: { globals: { window: 'readonly', document: 'readonly', sessionStorage: 'readonly', HTMLElement: 'readonly' } },
  },
  {
    languageOptions: { globals: { process: 'readonly', console: 'readonly', Buffer: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly', setInterval: 'readonly', clearInterval: 'readonly', URL: 'readonly', fetch: 'readonly', AbortController: 'readonly', TextEncoder: 'readonly', TextDecoder: 'readonly', setImmediate: 'readonly', queueMicrotask: 'readonly', structuredClone: 'readonly', performance: 'readonly' } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unsafe-declaration-merging': 'off',
      '@typescript-eslint/no-namespace': 'off',
      'no-constant-condition': ['error', { checkLoops: false }],
      // input rules reject control characters on purpose
      'no-control-regex': 'off',
    },
  },
  // Boundaries from review: the workflow engine knows steps and subjects, never the domains that use
  // it; the simulator is loaded only when the hub is simulated (hub.setup.ts imports it dynamically),
  // so nothing outside src/sim imports its runtime statically.
  ...boundaries(),
);

function boundaries() {
  const simulator = { group: ['**/sim/*', '!**/sim/sim.env.js'], allowTypeImports: true, message: 'load the simulator with import() only when the hub is simulated (see hub.setup.ts)' };
  const domains = { group: ['**/deployments/**', '**/compute/**', '**/tenancy/**', '**/catalog/**', '**/audit/**', '**/usage/**', '**/graphql/**'], message: 'the workflow engine must not depend on domains or the GraphQL layer' };
  const rule = (patterns) => ({ '@typescript-eslint/no-restricted-imports': ['error', { patterns }] });
  return [
    { files: ['src/**/*.ts'], ignores: ['src/sim/**', 'src/workflow/**'], rules: rule([simulator]) },
    { files: ['src/workflow/**/*.ts'], rules: rule([simulator, domains]) },
  ];
}
