import type { HttpContext } from '@adonisjs/core/http'
import tenancy from '../services/tenancy.js'
import { domainValidator } from './validators.js'
import { respond } from '../http/envelope.js'
import { platformActor } from '../auth/actors.js'

export default class TenantDomainsController {
  async store(ctx: HttpContext) {
    const tenant = await tenancy.registry.findOrFail(ctx.params.slug)
    const { domain } = await domainValidator.validate(ctx.request.body())
    await tenancy.registry.addDomain(tenant, domain, platformActor(ctx))
    respond(ctx, { domains: await tenancy.registry.domains(tenant.id) }, { status: 201 })
  }

  async destroy(ctx: HttpContext) {
    const tenant = await tenancy.registry.findOrFail(ctx.params.slug)
    await tenancy.registry.removeDomain(tenant, ctx.params.domain, platformActor(ctx))
    respond(ctx, { domains: await tenancy.registry.domains(tenant.id) })
  }
}
