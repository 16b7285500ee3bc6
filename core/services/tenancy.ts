import app from '@adonisjs/core/services/app'
import type { TenancyService } from '../tenancy/tenancy_service.js'

let tenancy: TenancyService

await app.booted(async () => {
  tenancy = await app.container.make('oryne.tenancy')
})

export { tenancy as default }
