/*
 * The settings type and its defaults, apart from their validation (settings.ts)
 * so that the CLI can name the keys in `--help` without loading VineJS.
 */
/**
 * Settings every tenant carries and every plugin honours: dates and day
 * boundaries in `time_zone`, money in integer minor units of `currency`.
 */
export type TenantSettings = {
  /** IANA time zone, e.g. "Africa/Nairobi". */
  time_zone: string
  /** BCP 47 locale, e.g. "en-KE". */
  locale: string
  /** ISO 4217 code, e.g. "KES". */
  currency: string
  /** 1 (January) to 12. */
  academic_year_start_month: number
  /** ISO weekday the week starts on: 1 (Monday) to 7 (Sunday). */
  week_start_day: number
}

export const DEFAULT_SETTINGS: TenantSettings = {
  time_zone: 'UTC',
  locale: 'en',
  currency: 'USD',
  academic_year_start_month: 9,
  week_start_day: 1,
}
