import vine from '@vinejs/vine'
import { DEFAULT_SETTINGS, type TenantSettings } from './default_settings.js'

export { DEFAULT_SETTINGS, type TenantSettings }

const timeZones = new Set([...Intl.supportedValuesOf('timeZone'), 'UTC'])
const currencies = new Set(Intl.supportedValuesOf('currency'))

function isLocale(value: string) {
  try {
    return Intl.getCanonicalLocales(value).length === 1
  } catch {
    return false
  }
}

/** Refuses keys the object does not declare (VineJS would drop them silently). */
export const knownKeysOnly = vine.createRule((value, keys: string[], field) => {
  if (!value || typeof value !== 'object') return
  for (const key of Object.keys(value)) {
    if (!keys.includes(key))
      field.report(`Unknown setting "${key}"; known: ${keys.join(', ')}`, 'knownKeys', field)
  }
})

/** Membership in a large set, reported without listing the whole set back to the caller. */
export const oneOf = vine.createRule(
  (value, options: { values: Set<string>; what: string }, field) => {
    if (typeof value === 'string' && !options.values.has(value)) {
      field.report(`Not a known ${options.what}`, 'oneOf', field)
    }
  }
)

/** Fields of TenantSettings, each optional so that a PATCH can change one. */
export const tenantSettingsSchema = vine.object({
  time_zone: vine
    .string()
    .trim()
    .use(oneOf({ values: timeZones, what: 'IANA time zone (e.g. Africa/Nairobi)' }))
    .optional(),
  locale: vine
    .string()
    .trim()
    .maxLength(35)
    .use(
      vine.createRule((value, _, field) => {
        if (typeof value === 'string' && !isLocale(value))
          field.report('Not a BCP 47 locale', 'locale', field)
      })()
    )
    .optional(),
  currency: vine
    .string()
    .trim()
    .toUpperCase()
    .use(oneOf({ values: currencies, what: 'ISO 4217 currency code (e.g. KES)' }))
    .optional(),
  academic_year_start_month: vine.number().withoutDecimals().range([1, 12]).optional(),
  week_start_day: vine.number().withoutDecimals().range([1, 7]).optional(),
})

export const ISO_CURRENCIES = currencies

export function withDefaults(settings: Partial<TenantSettings> | undefined | null): TenantSettings {
  return { ...DEFAULT_SETTINGS, ...(settings ?? {}) }
}
