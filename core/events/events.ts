import app from '@adonisjs/core/services/app'
import { tenantContext } from '../tenancy/context.js'
import type { Tenant } from '../tenancy/types.js'

/** A domain event, always of one tenant: `<plugin>.<resource>.<verb>`, e.g. `erp.students.created`. */
export type OryneEvent<T = Record<string, unknown>> = {
  name: string
  tenantId: string
  payload: T
  /** Who caused it (`user:<id>`, `platform`, `api_key:<id>`, `system`). */
  actor: string
  at: Date
}

export type EventHandler = (event: OryneEvent) => unknown | Promise<unknown>

/**
 * Who listens: the plugin host's event hooks of every available plugin,
 * delivered only to plugins the event's tenant enabled.
 */
export type EventListenerSource = (event: OryneEvent) => EventHandler[] | Promise<EventHandler[]>

const coreListeners: Array<{ matches: (event: OryneEvent) => boolean; handle: EventHandler }> = []

/**
 * Core's own listeners (search indexing, ...): called for every event they
 * match, of every tenant, after the plugins' hooks, with the same error
 * handling. Registered once at import time.
 */
export function onCoreEvent(matches: (event: OryneEvent) => boolean, handle: EventHandler) {
  coreListeners.push({ matches, handle })
}

/**
 * Delivers events to the plugins' hooks, then to core's listeners (the
 * container's `oryne.events`, made with the plugin host).
 */
export class EventBus {
  constructor(
    private listenersOf: EventListenerSource,
    private onHandlerError: (error: unknown, event: OryneEvent) => void
  ) {}

  async deliver(tenant: Tenant, event: OryneEvent) {
    const own = coreListeners.filter((listener) => listener.matches(event))
    const handlers = [
      ...(await tenantContext.run(tenant, () => this.listenersOf(event))),
      ...own.map((listener) => listener.handle),
    ]
    // A fresh tenant context: handlers open their own transactions, never the emitter's (committed) one.
    for (const handler of handlers) {
      try {
        await tenantContext.run(tenant, () => handler(event))
      } catch (error) {
        this.onHandlerError(error, event)
      }
    }
  }
}

/**
 * Emits an event of the current tenant. Inside a tenant transaction it is
 * delivered after the commit (never for work that was rolled back); otherwise
 * at once. A failing handler is logged and never fails the emitter.
 */
export async function emitEvent(name: string, payload: Record<string, unknown>, actor = 'system') {
  const tenant = tenantContext.require()
  const event: OryneEvent = { name, tenantId: tenant.id, payload, actor, at: new Date() }
  const bus = await app.container.make('oryne.events')
  const trx = tenantContext.transaction()
  if (trx) trx.after('commit', () => void bus.deliver(tenant, event))
  else await bus.deliver(tenant, event)
}
