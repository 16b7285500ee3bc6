import { DateTime } from 'luxon'
import type { Tenant } from '../tenancy/types.js'
import { withDefaults } from '../tenancy/settings.js'

/**
 * Numbers, money and dates as the tenant writes them: its locale, its
 * currency (amounts arrive in integer minor units) and its time zone.
 */
export type TenantFormat = {
  locale: string
  currency: string
  timeZone: string
  /** An amount in minor units, e.g. 123450 -> "KES 1,234.50". */
  money(minorUnits: number | string | null | undefined): string
  number(value: number | string | null | undefined, fractionDigits?: number): string
  /** A calendar date (YYYY-MM-DD or a Date read from a date column), e.g. "5 March 2026". */
  date(value: string | Date | null | undefined): string
  /** An instant, shown in the tenant's time zone. */
  dateTime(value: string | Date | null | undefined): string
}

/** Intl puts narrow and no-break spaces in some locales; PDFs and tests read plain ones. */
const plainSpaces = (text: string) => text.replace(/[\u00a0\u202f\u2009]/g, ' ')

function calendarDate(value: string | Date) {
  if (value instanceof Date)
    return DateTime.fromObject({
      year: value.getFullYear(),
      month: value.getMonth() + 1,
      day: value.getDate(),
    })
  return DateTime.fromISO(String(value).slice(0, 10), { zone: 'UTC' })
}

export function tenantFormat(tenant: Pick<Tenant, 'settings'>): TenantFormat {
  const settings = withDefaults(tenant.settings)
  const { locale, currency } = settings
  const timeZone = settings.time_zone || 'UTC'
  const money = new Intl.NumberFormat(locale, { style: 'currency', currency })
  const digits = money.resolvedOptions().maximumFractionDigits ?? 2
  const numbers = new Map<number, Intl.NumberFormat>()
  return {
    locale,
    currency,
    timeZone,
    money(minor) {
      if (minor === null || minor === undefined || minor === '') return ''
      return plainSpaces(money.format(Number(minor) / 10 ** digits))
    },
    number(value, fractionDigits = 0) {
      if (value === null || value === undefined || value === '') return ''
      let format = numbers.get(fractionDigits)
      if (!format) {
        format = new Intl.NumberFormat(locale, {
          minimumFractionDigits: fractionDigits,
          maximumFractionDigits: fractionDigits,
        })
        numbers.set(fractionDigits, format)
      }
      return plainSpaces(format.format(Number(value)))
    },
    date(value) {
      if (value === null || value === undefined || value === '') return ''
      const date = calendarDate(value)
      return date.isValid
        ? plainSpaces(date.setLocale(locale).toLocaleString(DateTime.DATE_FULL))
        : ''
    },
    dateTime(value) {
      if (value === null || value === undefined || value === '') return ''
      const instant =
        value instanceof Date ? DateTime.fromJSDate(value) : DateTime.fromISO(String(value))
      return instant.isValid
        ? plainSpaces(
            instant.setZone(timeZone).setLocale(locale).toLocaleString(DateTime.DATETIME_MED)
          )
        : ''
    },
  }
}
