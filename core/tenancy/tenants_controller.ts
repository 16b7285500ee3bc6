import type { HttpContext } from '@adonisjs/core/http'
import tenancy from '../services/tenancy.js'
import { serializeTenant } from './serialize.js'
import {
  listTenantsValidator,
  transitionValidator,
  updateTenantValidator,
  validateCreateTenant,
} from './validators.js'
import { respond } from '../http/envelope.js'
import { platformActor } from '../auth/actors.js'

export default class TenantsController {
  async index(ctx: HttpContext) {
    const query = await listTenantsValidator.validate(ctx.request.qs())
    const { tenants, pagination } = await tenancy.registry.list({
      status: query.status,
      page: query.page,
      perPage: query.per_page,
      newestFirst: query.sort === '-created_at',
    })
    respond(ctx, tenants.map(serializeTenant), { pagination })
  }

  async store(ctx: HttpContext) {
    const tenant = await tenancy.create(
      await validateCreateTenant(ctx.request.body()),
      platformActor(ctx)
    )
    respond(ctx, serializeTenant(tenant), {
      status: 202,
      location: `/api/v1/platform/tenants/${tenant.slug}`,
    })
  }

  async show(ctx: HttpContext) {
    const tenant = await tenancy.registry.findOrFail(ctx.params.slug)
    const [domains, history] = await Promise.all([
      tenancy.registry.domains(tenant.id),
      tenancy.registry.history(tenant.id),
    ])
    const states = await tenancy.plugins.forTenant(tenant)
    const plugins = states.filter((plugin) => plugin.status !== 'not_installed')
    respond(ctx, { ...serializeTenant(tenant), domains, plugins, history })
  }

  async update(ctx: HttpContext) {
    const tenant = await tenancy.registry.findOrFail(ctx.params.slug)
    const changes = await updateTenantValidator.validate(ctx.request.body())
    const updated = await tenancy.registry.update(
      tenant,
      {
        name: changes.name,
        plan: changes.plan,
        settings: changes.settings,
        paid_until:
          changes.paid_until === undefined
            ? undefined
            : changes.paid_until === null
              ? null
              : new Date(`${changes.paid_until}T23:59:59.999Z`),
      },
      platformActor(ctx)
    )
    respond(ctx, serializeTenant(updated))
  }

  /** POST /:slug/{suspend,resume,archive,restore,retry} */
  async transition(ctx: HttpContext) {
    const { reason } = await transitionValidator.validate(ctx.request.body())
    const action = ctx.params.action as 'suspend' | 'resume' | 'archive' | 'restore' | 'retry'
    const tenant =
      action === 'retry'
        ? await tenancy.retry(ctx.params.slug, platformActor(ctx))
        : await tenancy[action](ctx.params.slug, platformActor(ctx), reason)
    respond(ctx, serializeTenant(tenant), { status: action === 'retry' ? 202 : 200 })
  }

  async destroy(ctx: HttpContext) {
    const { reason, force } = await transitionValidator.validate(ctx.request.body())
    const tenant = await tenancy.delete(ctx.params.slug, platformActor(ctx), {
      force: force === true,
      reason,
    })
    respond(ctx, serializeTenant(tenant))
  }
}
