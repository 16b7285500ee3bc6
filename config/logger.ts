import env from '#start/env'
import app from '@adonisjs/core/services/app'
import { defineConfig, targets } from '@adonisjs/core/logger'
import type { InferLoggers } from '@adonisjs/core/types'
import { tenantLogFields } from '#core/tenancy/scoping'

/**
 * Structured JSON logs on stderr (one object per line; stdout is kept for command output). Inside a request every
 * line carries `request_id`; inside a tenant context it also carries `tenant_id`.
 * LOG_PRETTY=true switches to human-readable output while developing.
 */
const loggerConfig = defineConfig({
  default: 'app',
  loggers: {
    app: {
      enabled: env.get('LOG_LEVEL') !== 'silent',
      name: env.get('APP_NAME', 'oryne'),
      level: env.get('LOG_LEVEL', 'info'),
      // Every line written inside a tenant context carries its tenant id (unless the logger is bound to one).
      mixin: (_line: object, _level: number, logger: { bindings(): Record<string, unknown> }) =>
        'tenant_id' in logger.bindings() ? {} : tenantLogFields(),
      transport: {
        targets: targets()
          .pushIf(env.get('LOG_PRETTY', false) && !app.inProduction, targets.pretty())
          .pushIf(
            !env.get('LOG_PRETTY', false) || app.inProduction,
            targets.file({ destination: 2 })
          )
          .toArray(),
      },
    },
  },
})

export default loggerConfig

declare module '@adonisjs/core/types' {
  export interface LoggersList extends InferLoggers<typeof loggerConfig> {}
}
