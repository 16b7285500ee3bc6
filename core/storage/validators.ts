import vine from '@vinejs/vine'

export const uploadRequestValidator = vine.compile(
  vine.object({
    purpose: vine.string().trim().minLength(1).maxLength(120),
    content_type: vine.string().trim().minLength(3).maxLength(255),
    size: vine.number().withoutDecimals().min(1).max(Number.MAX_SAFE_INTEGER),
    name: vine.string().trim().minLength(1).maxLength(255),
  })
)
