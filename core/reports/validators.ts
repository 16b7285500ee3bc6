import vine from '@vinejs/vine'

/* Request bodies of the reports routes. Formats and resources are checked by the services (stable codes). */

const listShape = {
  filters: vine.record(vine.any()).optional(),
  sort: vine.string().trim().maxLength(200).optional(),
  search: vine.string().trim().maxLength(200).optional(),
  fields: vine
    .unionOfTypes([
      vine.array(vine.string().trim().maxLength(60)).maxLength(100),
      vine.string().trim().maxLength(2000),
    ])
    .optional(),
}

export const exportValidator = vine.compile(
  vine.object({
    resource: vine.string().trim().maxLength(120),
    format: vine.string().trim().toLowerCase().maxLength(20),
    ...listShape,
  })
)

export const subscriptionValidator = vine.compile(
  vine.object({
    kind: vine.enum(['export', 'digest']),
    title: vine.string().trim().minLength(1).maxLength(200).optional(),
    /** Cron in the tenant's time zone: "0 6 * * *" is 06:00 every day. */
    cron: vine.string().trim().maxLength(120),
    /** Who receives it; default: the admin subscribing. */
    user_id: vine.string().trim().uuid().optional(),
    resource: vine.string().trim().maxLength(120).optional().requiredWhen('kind', '=', 'export'),
    format: vine.string().trim().toLowerCase().maxLength(20).optional(),
    ...listShape,
  })
)
