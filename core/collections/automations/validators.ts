import vine from '@vinejs/vine'

/*
 * The envelope of an automation: name and enabled here; trigger and action
 * are read by spec.ts, which checks their variants with a detail per path
 * (a null inside them, e.g. set_field to empty, is theirs to judge).
 */

export const createAutomationValidator = vine.compile(
  vine.object({
    name: vine.string().trim().minLength(1).maxLength(120),
    enabled: vine.boolean().optional(),
    trigger: vine.record(vine.any().nullable()),
    action: vine.record(vine.any().nullable()),
  })
)

export const updateAutomationValidator = vine.compile(
  vine.object({
    name: vine.string().trim().minLength(1).maxLength(120).optional(),
    enabled: vine.boolean().optional(),
    trigger: vine.record(vine.any().nullable()).optional(),
    action: vine.record(vine.any().nullable()).optional(),
  })
)

export const runsQueryValidator = vine.compile(
  vine.object({
    status: vine.enum(['pending', 'running', 'succeeded', 'failed']).optional(),
    page: vine.number().withoutDecimals().min(1).max(1_000_000).optional(),
    per_page: vine.number().withoutDecimals().min(1).max(100).optional(),
  })
)
