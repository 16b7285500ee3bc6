import { createContext } from 'preact'
import { useContext } from 'preact/hooks'
import { IntlMessageFormat } from 'intl-messageformat'
import { en } from '../messages/en.js'
import { ar } from '../messages/ar.js'
import { instantOf, wallClock } from './zone.js'

/**
 * Message catalogues (docs/web.md, "Languages"): every string the app shows is
 * a key of en.ts, with ICU syntax for values and plurals; each other language
 * is a complete catalogue of the same keys (the type checker says so). Plugins
 * bring theirs (ui/messages.ts), merged under their own keys.
 */
export type Messages = Record<string, string>
export type Catalogues = Record<string, Messages>

export const LANGUAGES: Record<string, { name: string; messages: Messages }> = {
  en: { name: 'English', messages: en },
  ar: { name: 'العربية', messages: ar },
}

const RTL = new Set(['ar', 'he', 'fa', 'ur'])

const pluginCatalogues: Catalogues[] = []

/** Adds a plugin's catalogues (by language). */
export function addCatalogues(catalogues: Catalogues) {
  pluginCatalogues.push(catalogues)
}

export type Formats = {
  /** BCP 47 locale of formatting, e.g. "ar-EG". */
  locale: string
  /** Language of the catalogue in use: "en" or "ar". */
  language: string
  dir: 'ltr' | 'rtl'
  timeZone: string
  currency: string
}

export class I18n {
  readonly locale: string
  readonly language: string
  readonly dir: 'ltr' | 'rtl'
  readonly timeZone: string
  readonly currency: string
  #messages: Messages
  #compiled = new Map<string, IntlMessageFormat>()

  constructor(options: { locale: string; timeZone: string; currency: string }) {
    this.locale = options.locale
    const wanted = options.locale.split('-')[0].toLowerCase()
    this.language = LANGUAGES[wanted] ? wanted : 'en'
    this.dir = RTL.has(this.language) ? 'rtl' : 'ltr'
    this.timeZone = options.timeZone
    this.currency = options.currency
    this.#messages = { ...en }
    for (const catalogues of pluginCatalogues) Object.assign(this.#messages, catalogues.en)
    if (this.language !== 'en') {
      Object.assign(this.#messages, LANGUAGES[this.language].messages)
      for (const catalogues of pluginCatalogues)
        Object.assign(this.#messages, catalogues[this.language])
    }
  }

  /** The message of `key` with its values; a key no catalogue has is shown as it is (plain text). */
  t = (key: string, values?: Record<string, unknown>): string => {
    const text = this.#messages[key]
    if (text === undefined) return key
    if (!values && !text.includes('{')) return text
    let format = this.#compiled.get(key)
    if (!format) {
      format = new IntlMessageFormat(text, this.locale)
      this.#compiled.set(key, format)
    }
    return String(format.format(values as never))
  }

  has(key: string) {
    return key in this.#messages
  }

  /** A date (`YYYY-MM-DD`, read as that calendar day) or an instant, as the tenant writes dates. */
  date = (
    value: string | Date | null | undefined,
    style: 'short' | 'medium' | 'long' = 'medium'
  ) => {
    if (!value) return '—'
    if (typeof value === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(value))
      return new Intl.DateTimeFormat(this.locale, { dateStyle: style, timeZone: 'UTC' }).format(
        new Date(`${value}T00:00:00Z`)
      )
    return new Intl.DateTimeFormat(this.locale, {
      dateStyle: style,
      timeZone: this.timeZone,
    }).format(new Date(value))
  }

  /** The time of day of an instant (or an `HH:MM[:SS]` clock time) in the tenant's time zone. */
  time = (value: string | Date | null | undefined) => {
    if (!value) return '—'
    if (typeof value === 'string' && /^\d{2}:\d{2}(:\d{2})?$/.test(value))
      return new Intl.DateTimeFormat(this.locale, { timeStyle: 'short', timeZone: 'UTC' }).format(
        new Date(`1970-01-01T${value.length === 5 ? `${value}:00` : value}Z`)
      )
    return new Intl.DateTimeFormat(this.locale, {
      timeStyle: 'short',
      timeZone: this.timeZone,
    }).format(new Date(value))
  }

  dateTime = (value: string | Date | null | undefined) => {
    if (!value) return '—'
    return new Intl.DateTimeFormat(this.locale, {
      dateStyle: 'medium',
      timeStyle: 'short',
      timeZone: this.timeZone,
    }).format(new Date(value))
  }

  /** An instant as a `datetime-local` input shows it: `YYYY-MM-DDTHH:MM` on the tenant's clock. */
  wallClock = (value: string | Date | null | undefined) => wallClock(value, this.timeZone)

  /** What a `datetime-local` input (or a `date`, its midnight) holds, read on the tenant's clock, as an ISO instant; null when empty or malformed. */
  instant = (local: string) => instantOf(local, this.timeZone)

  number = (value: number | null | undefined) =>
    value === null || value === undefined ? '—' : new Intl.NumberFormat(this.locale).format(value)

  /** Money kept in integer minor units of the tenant's currency (or `currency`). */
  money = (minor: number | null | undefined, currency = this.currency) => {
    if (minor === null || minor === undefined) return '—'
    const format = new Intl.NumberFormat(this.locale, { style: 'currency', currency })
    const digits = format.resolvedOptions().maximumFractionDigits ?? 2
    return format.format(minor / 10 ** digits)
  }

  /** Today's date (`YYYY-MM-DD`) in the tenant's time zone. */
  today = () =>
    new Intl.DateTimeFormat('en-CA', {
      timeZone: this.timeZone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
    }).format(new Date())
}

export const I18nContext = createContext<I18n>(
  new I18n({ locale: navigator.language || 'en', timeZone: 'UTC', currency: 'USD' })
)

/** The messages and formats of the signed-in user's language, locale, time zone and currency. */
export function useI18n() {
  return useContext(I18nContext)
}

const LOCALE_KEY = 'oryne.app.locale'

/** The user's own choice of language on this device, if any (the profile page sets it). */
export function chosenLocale(): string | null {
  return localStorage.getItem(LOCALE_KEY)
}

export function chooseLocale(locale: string | null) {
  if (locale) localStorage.setItem(LOCALE_KEY, locale)
  else localStorage.removeItem(LOCALE_KEY)
}
