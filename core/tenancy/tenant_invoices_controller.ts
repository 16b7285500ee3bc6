import type { HttpContext } from '@adonisjs/core/http'
import tenancy from '../services/tenancy.js'
import { serializeTenant } from './serialize.js'
import { invoiceValidator, paymentValidator } from './validators.js'
import { respond } from '../http/envelope.js'
import { platformActor } from '../auth/actors.js'

export default class TenantInvoicesController {
  async index(ctx: HttpContext) {
    const tenant = await tenancy.registry.findOrFail(ctx.params.slug)
    respond(ctx, await tenancy.billing.invoices(tenant))
  }

  async store(ctx: HttpContext) {
    const tenant = await tenancy.registry.findOrFail(ctx.params.slug)
    const input = await invoiceValidator.validate(ctx.request.body())
    respond(ctx, await tenancy.billing.recordInvoice(tenant, input, platformActor(ctx)), {
      status: 201,
    })
  }

  async pay(ctx: HttpContext) {
    const tenant = await tenancy.registry.findOrFail(ctx.params.slug)
    const { reference } = await paymentValidator.validate(ctx.request.body())
    const result = await tenancy.billing.pay(
      tenant,
      ctx.params.number,
      { reference },
      platformActor(ctx)
    )
    respond(ctx, { invoice: result.invoice, tenant: serializeTenant(result.tenant) })
  }
}
