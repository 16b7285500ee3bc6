import type { EventHandler, OryneEvent } from '@oryne/sdk'
import { recordInteractions, type Interaction } from './interactions.js'

/*
 * Implicit feedback from the other modules' events (names from the plugins'
 * event contract). Each carries a client id derived from the source record,
 * so an event delivered twice is counted once.
 */

type Payload = Record<string, any>

function record(interactions: Interaction[], event: OryneEvent) {
  const usable = interactions.filter((i) => i.user_id && i.item_id)
  if (!usable.length) return
  return recordInteractions(usable, event.name)
}

const at = (event: OryneEvent) => event.at

export const interactionHooks: Record<string, EventHandler> = {
  'lms.enrolments.created': (event) => {
    const enrolment = (event.payload as Payload).record ?? {}
    return record(
      [
        {
          user_id: enrolment.student_user_id,
          item_type: 'courses',
          item_id: String(enrolment.course_id),
          occurred_at: at(event),
          client_id: `lms.enrolment:${enrolment.id}`,
        },
      ],
      event
    )
  },
  'library.loan.issued': (event) => {
    const loan = event.payload as Payload
    return record(
      [
        {
          user_id: loan.user_id,
          item_type: 'books',
          item_id: String(loan.title_id),
          occurred_at: at(event),
          client_id: `library.loan:${loan.loan_id}`,
        },
      ],
      event
    )
  },
  'estore.order.paid': (event) => {
    const order = event.payload as Payload
    const quantities = new Map<string, number>()
    for (const item of order.items ?? [])
      quantities.set(
        String(item.product_id),
        (quantities.get(String(item.product_id)) ?? 0) + Number(item.quantity ?? 1)
      )
    return record(
      [...quantities].map(([productId, quantity]) => ({
        user_id: order.user_id,
        item_type: 'products' as const,
        item_id: productId,
        weight: Math.max(1, quantity),
        occurred_at: at(event),
        client_id: `estore.order:${order.order_id}:${productId}`,
      })),
      event
    )
  },
  'events.registration.created': (event) => {
    const registration = event.payload as Payload
    return record(
      [
        {
          user_id: registration.user_id,
          item_type: 'events',
          item_id: String(registration.event_id),
          occurred_at: at(event),
          client_id: `events.registration:${registration.registration_id}`,
        },
      ],
      event
    )
  },
}
