import { configApp } from '@adonisjs/eslint-config'

export default configApp(
  {
    ignores: ['build/**', 'storage/**', 'tmp/**', 'node_modules/**'],
  },
  {
    // `(await client.get(...)).assertStatus(200)` reads best in a specification.
    files: ['tests/**/*.ts'],
    rules: { '@unicorn/no-await-expression-member': 'off' },
  }
)
