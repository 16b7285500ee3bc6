import vine from '@vinejs/vine'
import { EVENT_PATTERN } from './patterns.js'

const events = () =>
  vine.array(vine.string().trim().maxLength(200).regex(EVENT_PATTERN)).minLength(1).maxLength(100)

export const createEndpointValidator = vine.compile(
  vine.object({
    url: vine.string().trim().maxLength(2000),
    events: events(),
    description: vine.string().trim().maxLength(500).nullable().optional(),
  })
)

export const updateEndpointValidator = vine.compile(
  vine.object({
    url: vine.string().trim().maxLength(2000).optional(),
    events: events().optional(),
    description: vine.string().trim().maxLength(500).nullable().optional(),
    enabled: vine.boolean().optional(),
  })
)

export const deliveriesQueryValidator = vine.compile(
  vine.object({
    status: vine.enum(['pending', 'retrying', 'succeeded', 'failed']).optional(),
    page: vine.number().withoutDecimals().min(1).max(1_000_000).optional(),
    per_page: vine.number().withoutDecimals().min(1).max(100).optional(),
  })
)
