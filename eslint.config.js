import { configApp, RULES_LIST } from '@adonisjs/eslint-config'

export default configApp(
  {
    ignores: ['build/**', 'storage/**', 'tmp/**', 'node_modules/**', 'packages/client/schema.d.ts'],
  },
  {
    // `(await client.get(...)).assertStatus(200)` reads best in a specification.
    files: ['tests/**/*.ts', 'plugins/*/tests/**/*.ts'],
    rules: { '@unicorn/no-await-expression-member': 'off' },
  },
  {
    // The admin console's components: the same rules as the rest of the code base.
    files: ['console/src/**/*.tsx', 'web/src/**/*.tsx', 'plugins/*/ui/**/*.tsx', 'tests/fixtures/plugins/*/ui/**/*.tsx'],
    languageOptions: { parserOptions: { ecmaFeatures: { jsx: true } } },
    rules: RULES_LIST,
  }
)
