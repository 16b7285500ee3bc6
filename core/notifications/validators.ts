import vine from '@vinejs/vine'
import { CHANNELS } from './templates.js'
import { PRIORITIES } from './delivery.js'

const page = () => vine.number().withoutDecimals().min(1).max(1_000_000).optional()
const perPage = () => vine.number().withoutDecimals().min(1).max(100).optional()

export const inboxQueryValidator = vine.compile(
  vine.object({ unread: vine.boolean().optional(), page: page(), per_page: perPage() })
)

export const pageQueryValidator = vine.compile(vine.object({ page: page(), per_page: perPage() }))

export const preferencesValidator = vine.compile(
  vine.object({
    preferences: vine
      .array(
        vine.object({
          template: vine.string().trim().minLength(1).maxLength(120),
          channel: vine.enum(CHANNELS),
          enabled: vine.boolean(),
        })
      )
      .minLength(1)
      .maxLength(200),
  })
)

export const templateOverrideValidator = vine.compile(
  vine.object({
    subject: vine.string().maxLength(500).nullable().optional(),
    body: vine.string().minLength(1).maxLength(10_000).nullable().optional(),
  })
)

export const sendValidator = vine.compile(
  vine.object({
    user_ids: vine.array(vine.string().uuid()).minLength(1).maxLength(1000),
    template: vine.string().trim().minLength(1).maxLength(120),
    data: vine.record(vine.any()).optional(),
    priority: vine.enum(PRIORITIES).optional(),
  })
)
