/*
 * Wall-clock times of a time zone (the tenant's, not the device's): what a
 * `datetime-local` or `date` input shows and takes, turned into instants and
 * back. The browser's own Date methods know only the device's zone.
 */

const formats = new Map<string, Intl.DateTimeFormat>()

function formatIn(zone: string) {
  let format = formats.get(zone)
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    })
    formats.set(zone, format)
  }
  return format
}

/** The wall clock of `zone` at an instant, as numbers. */
function partsAt(ms: number, zone: string) {
  const parts: Record<string, number> = {}
  for (const part of formatIn(zone).formatToParts(new Date(ms)))
    if (part.type !== 'literal') parts[part.type] = Number(part.value)
  return parts as Record<'year' | 'month' | 'day' | 'hour' | 'minute' | 'second', number>
}

/** How far `zone`'s wall clock is ahead of UTC at an instant, in milliseconds. */
function offsetAt(ms: number, zone: string) {
  const p = partsAt(ms, zone)
  return (
    Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second) - Math.floor(ms / 1000) * 1000
  )
}

const pad = (n: number, width = 2) => String(n).padStart(width, '0')

/** `YYYY-MM-DDTHH:MM` of `zone` at an instant (a `datetime-local` input's value); '' for none. */
export function wallClock(value: string | Date | null | undefined, zone: string) {
  if (!value) return ''
  const ms = new Date(value).getTime()
  if (Number.isNaN(ms)) return ''
  const p = partsAt(ms, zone)
  return `${pad(p.year, 4)}-${pad(p.month)}-${pad(p.day)}T${pad(p.hour)}:${pad(p.minute)}`
}

/**
 * The instant (ISO 8601, UTC) when `zone`'s wall clock reads `local`
 * (`YYYY-MM-DDTHH:MM[:SS]` or a day `YYYY-MM-DD`, read as its midnight); null
 * when it is not such a value. A time skipped by a clock change moves forward.
 */
export function instantOf(local: string, zone: string): string | null {
  const match = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2}))?)?$/.exec(local.trim())
  if (!match) return null
  const [, y, mo, d, h = '0', mi = '0', s = '0'] = match
  const asUtc = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s))
  if (Number.isNaN(asUtc)) return null
  // The zone's offset near that time, then once more at the instant found (across a clock change).
  let ms = asUtc - offsetAt(asUtc, zone)
  const again = asUtc - offsetAt(ms, zone)
  if (again !== ms && offsetAt(again, zone) === asUtc - again) ms = again
  return new Date(ms).toISOString()
}

/** The day after `day` (`YYYY-MM-DD`). */
export function nextDay(day: string) {
  return new Date(Date.parse(`${day}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10)
}
