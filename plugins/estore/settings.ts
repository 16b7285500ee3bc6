import { defineSettings, pluginSettings, vine } from '@oryne/sdk'

/** E-store settings a tenant admin can change (`oryne plugin settings estore --tenant <slug>`). */
export const estoreSettingsSchema = vine.object({
  /** Payment methods customers may choose at checkout; `offline` is the default one. */
  payment_methods: vine
    .array(vine.enum(['offline', 'card', 'account']))
    .minLength(1)
    .distinct(),
  /** How long an unpaid card order holds its stock. */
  card_reservation_minutes: vine.number().withoutDecimals().min(1).max(1440),
  /** How long an unpaid offline (cash, bank transfer) order holds its stock. */
  offline_reservation_minutes: vine.number().withoutDecimals().min(1).max(43_200),
  /** Base URL of the card gateway's API; ESTORE_CARD_API_URL when empty. */
  card_api_url: vine
    .string()
    .trim()
    .maxLength(500)
    .regex(/^(https?:\/\/[^\s]+)?$/),
  /** Secret API key of the card gateway; ESTORE_CARD_API_KEY when empty. */
  card_api_key: vine.string().trim().maxLength(500),
  /** Secret the gateway signs webhooks with; ESTORE_CARD_WEBHOOK_SECRET when empty. */
  card_webhook_secret: vine.string().trim().maxLength(500),
  /** Where the gateway sends the customer back to after paying; empty: the order's page here. */
  return_url: vine
    .string()
    .trim()
    .maxLength(500)
    .regex(/^(https?:\/\/[^\s]+)?$/),
  /** Largest clock difference accepted on a webhook's timestamp. */
  webhook_tolerance_seconds: vine.number().withoutDecimals().min(30).max(3600),
  /** Days an order charged to an ERP account gives until its invoice is due. */
  account_due_days: vine.number().withoutDecimals().min(0).max(365),
})

export type EstoreSettings = {
  payment_methods: Array<'offline' | 'card' | 'account'>
  card_reservation_minutes: number
  offline_reservation_minutes: number
  card_api_url: string
  card_api_key: string
  card_webhook_secret: string
  return_url: string
  webhook_tolerance_seconds: number
  account_due_days: number
}

export const ESTORE_DEFAULTS: EstoreSettings = {
  payment_methods: ['offline', 'card', 'account'],
  card_reservation_minutes: 30,
  offline_reservation_minutes: 2880,
  card_api_url: '',
  card_api_key: '',
  card_webhook_secret: '',
  return_url: '',
  webhook_tolerance_seconds: 300,
  account_due_days: 30,
}

export const estoreSettingsDeclaration = defineSettings(estoreSettingsSchema, ESTORE_DEFAULTS)

/** The current tenant's e-store settings (defaults for what the tenant has not set). */
export function estoreSettings(): Promise<EstoreSettings> {
  return pluginSettings<EstoreSettings>('estore')
}
