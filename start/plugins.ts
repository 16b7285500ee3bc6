/*
 * Mounts the routes of every available plugin under /api/v1/<plugin>. They answer
 * only for tenants that enabled the plugin (404 ERR_PLUGIN_DISABLED otherwise), so
 * enabling or disabling a plugin needs no restart.
 */
import app from '@adonisjs/core/services/app'
import router from '@adonisjs/core/services/router'
import { middleware } from '#start/kernel'
import { mountResources } from '#core/resources/routes'

const plugins = await app.container.make('oryne.plugins')

for (const { manifest } of plugins.available()) {
  if (!manifest.routes) continue
  router
    .group(() => manifest.routes!(router))
    .prefix(`/api/v1/${manifest.name}`)
    .use([middleware.tenant(), middleware.pluginEnabled({ plugin: manifest.name })])
}

// Low-code resources: CRUD under /api/v1/<plugin>/<resource>, and tenant custom fields (docs/resources.md).
const logger = await app.container.make('logger')
mountResources(router, plugins, middleware, (message) => logger.warn(message))
