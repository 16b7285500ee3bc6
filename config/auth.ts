import { defineConfig } from '@adonisjs/auth'
import type { InferAuthenticators } from '@adonisjs/auth/types'
import { jwtGuard } from '#core/auth/guard'

/**
 * Two guards over Oryne's access JWTs (core/auth/guard.ts, docs/auth.md):
 * `tenant` for users of the tenant a request resolved to, `platform` for
 * platform users. Routes pick one through the `auth` middleware.
 */
const authConfig = defineConfig({
  default: 'tenant',
  guards: {
    tenant: jwtGuard('tenant'),
    platform: jwtGuard('platform'),
  },
})

export default authConfig

declare module '@adonisjs/auth/types' {
  export interface Authenticators extends InferAuthenticators<typeof authConfig> {}
}
