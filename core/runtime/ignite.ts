import { Ignitor } from '@adonisjs/core'
import type { ApplicationService } from '@adonisjs/core/types'

export const APP_ROOT = new URL('../../', import.meta.url)

function importer(filePath: string) {
  if (filePath.startsWith('./') || filePath.startsWith('../')) {
    return import(new URL(filePath, APP_ROOT).href)
  }
  return import(filePath)
}

/** The AdonisJS ignitor every Oryne entry point (CLI, tests, ace) starts from. */
export function createIgnitor() {
  return new Ignitor(APP_ROOT, { importer }).tap((app) => {
    app.booting(async () => {
      await import('#start/env')
    })
  })
}

export type BootOptions = {
  /**
   * Make the plugin host, and with it the event listeners and job handlers
   * (core's and plugins'), before returning. Only a process that writes
   * nothing and runs no job may skip them: read-only CLI commands do, since
   * importing every plugin is most of a command's start-up.
   */
  plugins?: boolean
  /**
   * An application created but not booted yet, to boot instead of a new one:
   * the CLI creates it to read plugin manifests (their modules register boot
   * hooks on it) before it knows which command runs.
   */
  created?: ApplicationService
}

/**
 * Boots the application without listening for HTTP: for CLI commands and
 * workers. `environment: 'web'` also loads routes, for processes that serve.
 */
export async function bootApp(
  environment: 'console' | 'web' = 'console',
  options: BootOptions = {}
): Promise<ApplicationService> {
  const app = options.created ?? createIgnitor().createApp(environment)
  await app.init()
  await app.boot()
  await app.start(() => {})
  if (options.plugins !== false) await app.container.make('oryne.plugins')
  return app
}
