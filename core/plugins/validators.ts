import vine from '@vinejs/vine'

/* Bodies of the tenant admin's plugin routes (core/plugins/routes.ts). */
export const enableBody = vine.compile(
  vine.object({ with_dependencies: vine.boolean().optional() })
)
// null (or "", which the body parser turns into null) clears a setting: core/plugins/settings.ts.
export const settingsBody = vine.compile(vine.record(vine.any().nullable()))
