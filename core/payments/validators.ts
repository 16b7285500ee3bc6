import vine from '@vinejs/vine'

/** The card gateway of the tenant: its API's base URL, secret API key and webhook signing secret. */
export const providerValidator = vine.compile(
  vine.object({
    api_url: vine
      .string()
      .trim()
      .maxLength(500)
      .regex(/^https?:\/\/[^\s]+$/),
    api_key: vine.string().trim().minLength(1).maxLength(500),
    webhook_secret: vine.string().trim().minLength(1).maxLength(500),
  })
)
