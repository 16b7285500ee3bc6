import { readTenantDb } from '../tenancy/tenant_db.js'
import { openSecret } from './providers.js'

/*
 * Where the tenant's card gateway is: what its admin set
 * (PUT /api/v1/admin/payments/card, the `payment_providers` table of the
 * tenant), else the ORYNE_PAYMENTS_CARD_* environment, read when used so that
 * a running process picks up what operators set.
 */

export type CardGatewayConfig = { url: string; apiKey: string; webhookSecret: string }

/** Largest clock difference accepted on a webhook's timestamp. */
export const WEBHOOK_TOLERANCE_SECONDS = 300

/** The tenant's stored provider row, or null. */
export function storedProvider(provider = 'card') {
  return readTenantDb(async (client, table) => {
    const row = await client
      .from(table('payment_providers'))
      .where('provider', provider)
      .select('api_url', 'api_key', 'webhook_secret', 'updated_at')
      .first()
    return (row ?? null) as {
      api_url: string
      api_key: string
      webhook_secret: string
      updated_at: Date
    } | null
  })
}

/**
 * The current tenant's card gateway. `overrides` are a plugin's own older
 * settings (the e-store's `card_*`), which win when set.
 */
export async function cardGatewayConfig(
  overrides: Partial<CardGatewayConfig> = {}
): Promise<CardGatewayConfig> {
  const stored = await storedProvider('card')
  const pick = (own: string | undefined, saved: string | undefined, env: string) =>
    own || saved || process.env[env] || ''
  return {
    url: pick(overrides.url, stored?.api_url, 'ORYNE_PAYMENTS_CARD_API_URL').replace(/\/+$/, ''),
    apiKey: pick(overrides.apiKey, openSecret(stored?.api_key), 'ORYNE_PAYMENTS_CARD_API_KEY'),
    webhookSecret: pick(
      overrides.webhookSecret,
      openSecret(stored?.webhook_secret),
      'ORYNE_PAYMENTS_CARD_WEBHOOK_SECRET'
    ),
  }
}

/** Whether payers can be sent to the card gateway: its address and key are known. */
export async function onlinePaymentsEnabled() {
  const config = await cardGatewayConfig()
  return Boolean(config.url && config.apiKey)
}
