import encryption from '@adonisjs/core/services/encryption'
import { recordAudit } from '../audit/audit.js'
import { withTenantDb } from '../tenancy/tenant_db.js'

/*
 * The tenant's card gateway as its admin sets it. The API key and webhook
 * secret are stored encrypted with APP_KEY and never answered back: the
 * answer says whether each is set.
 */

const PURPOSE = 'payments.provider'

export type ProviderInput = { api_url: string; api_key: string; webhook_secret: string }

export function sealSecret(value: string) {
  return encryption.encrypt(value, undefined, PURPOSE)
}

export function openSecret(sealed: string | undefined | null) {
  if (!sealed) return ''
  return encryption.decrypt<string>(sealed, PURPOSE) ?? ''
}

/** What the admin sees of the stored provider (and of the environment fallback). */
export function presentProvider(
  row: { api_url?: string; api_key?: string; updated_at?: Date } | null
) {
  return {
    provider: 'card',
    api_url: row?.api_url ?? '',
    api_key_set: Boolean(row?.api_key),
    webhook_secret_set: Boolean(row && (row as any).webhook_secret),
    from_environment: !row && Boolean(process.env.ORYNE_PAYMENTS_CARD_API_URL),
    webhook_path: '/api/v1/payments/webhooks/card',
    updated_at: row?.updated_at ?? null,
  }
}

export function saveProvider(input: ProviderInput, actor: string) {
  return withTenantDb(async (trx) => {
    const [row] = await trx
      .insertQuery()
      .table('payment_providers')
      .insert({
        provider: 'card',
        api_url: input.api_url.replace(/\/+$/, ''),
        api_key: sealSecret(input.api_key),
        webhook_secret: sealSecret(input.webhook_secret),
        updated_at: new Date(),
      })
      .onConflict('provider')
      .merge()
      .returning('*')
    await recordAudit(trx, {
      actor,
      action: 'core.payments.provider.update',
      subject: 'payment_providers:card',
      data: { api_url: row.api_url },
    })
    return presentProvider(row)
  })
}

export function removeProvider(actor: string) {
  return withTenantDb(async (trx) => {
    await trx.from('payment_providers').where('provider', 'card').delete()
    await recordAudit(trx, {
      actor,
      action: 'core.payments.provider.delete',
      subject: 'payment_providers:card',
      data: {},
    })
    return presentProvider(null)
  })
}
