import { defineConfig } from '@adonisjs/core/app'

export default defineConfig({
  /*
   * Oryne keeps the AdonisJS conventions but names its folders by capability (DESIGN.md):
   * the kernel lives in core/, the admin CLI in cli/. `node ace` stays available for
   * framework generators; platform admins use `oryne`. Only folders that exist are named
   * (tmp/, made at run time, keeps its default).
   */
  directories: {
    config: 'config',
    public: 'public',
    providers: 'core/providers',
    migrations: 'database/migrations',
    start: 'start',
    tests: 'tests',
    services: 'core/services',
    exceptions: 'core/http',
    middleware: 'core/http/middleware',
    events: 'core/events',
  },

  commands: [() => import('@adonisjs/core/commands'), () => import('@adonisjs/lucid/commands')],

  providers: [
    () => import('@adonisjs/core/providers/app_provider'),
    () => import('@adonisjs/core/providers/hash_provider'),
    () => import('@adonisjs/core/providers/vinejs_provider'),
    () => import('@adonisjs/lucid/database_provider'),
    () => import('@adonisjs/auth/auth_provider'),
    () => import('@adonisjs/cors/cors_provider'),
    () => import('@adonisjs/drive/drive_provider'),
    () => import('@adonisjs/limiter/limiter_provider'),
    () => import('#core/providers/oryne_provider'),
  ],

  /*
   * Routes and middleware only where HTTP is served or tested: the `oryne` CLI boots in
   * the console environment and must not import every controller, report writer and plugin.
   */
  preloads: [
    { file: () => import('#start/routes'), environment: ['web', 'test', 'repl'] },
    { file: () => import('#start/kernel'), environment: ['web', 'test', 'repl'] },
    { file: () => import('#start/plugins'), environment: ['web', 'test', 'repl'] },
  ],

  tests: {
    suites: [
      { name: 'unit', files: ['tests/unit/**/*.spec.ts'], timeout: 10_000 },
      { name: 'functional', files: ['tests/functional/**/*.spec.ts'], timeout: 60_000 },
      { name: 'plugins', files: ['plugins/*/tests/**/*.spec.ts'], timeout: 60_000 },
      { name: 'cli', files: ['tests/cli/**/*.spec.ts'], timeout: 120_000 },
      { name: 'browser', files: ['tests/browser/**/*.spec.ts'], timeout: 120_000 },
    ],
    forceExit: false,
  },
})
