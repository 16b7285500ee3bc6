import { useEffect, useState } from 'preact/hooks'
import { api } from '../kit/api.js'
import { useApp } from '../kit/context.js'
import { useI18n, type I18n } from '../kit/i18n.js'
import { Empty, Page, Problem, useAction, useLoad } from '../kit/ui.js'

/*
 * The signed-in user's calendar (GET /api/v1/app/calendar): timetable, events,
 * due dates and holidays from every enabled plugin, as a month grid, a week or
 * an agenda (the default at phone width), and the address of their iCalendar
 * feed when the events plugin offers one.
 */

type Entry = {
  uid: string
  title: string
  starts_at: string
  ends_at?: string | null
  all_day?: boolean
  description?: string | null
  kind: string
  source: string
}
type Holiday = { date: string; title: string }
type CalendarData = { from: string; to: string; entries: Entry[]; holidays: Holiday[] }
type View = 'month' | 'week' | 'agenda'

const DAY = 86_400_000
const AGENDA_DAYS = 31

/** Day arithmetic on YYYY-MM-DD (calendar days, no time zone involved). */
const addDays = (date: string, days: number) =>
  new Date(Date.parse(`${date}T00:00:00Z`) + days * DAY).toISOString().slice(0, 10)
const weekday = (date: string) => new Date(`${date}T00:00:00Z`).getUTCDay() || 7

function startOfWeek(date: string, weekStart: number) {
  return addDays(date, -((weekday(date) - weekStart + 7) % 7))
}

function rangeOf(view: View, anchor: string, weekStart: number) {
  if (view === 'week') {
    const from = startOfWeek(anchor, weekStart)
    return { from, to: addDays(from, 6) }
  }
  if (view === 'agenda') return { from: anchor, to: addDays(anchor, AGENDA_DAYS - 1) }
  const first = `${anchor.slice(0, 7)}-01`
  const next = new Date(`${first}T00:00:00Z`)
  next.setUTCMonth(next.getUTCMonth() + 1)
  return { from: first, to: addDays(next.toISOString().slice(0, 10), -1) }
}

function step(view: View, anchor: string, direction: number) {
  if (view === 'week') return addDays(anchor, 7 * direction)
  if (view === 'agenda') return addDays(anchor, AGENDA_DAYS * direction)
  const date = new Date(`${anchor.slice(0, 7)}-01T00:00:00Z`)
  date.setUTCMonth(date.getUTCMonth() + direction)
  return date.toISOString().slice(0, 10)
}

/** The tenant-local days an entry falls on (all-day entries may span several). */
function daysOf(entry: Entry, zone: string) {
  const local = (value: string) =>
    /^\d{4}-\d{2}-\d{2}$/.test(value)
      ? value
      : new Intl.DateTimeFormat('en-CA', { timeZone: zone }).format(new Date(value))
  const first = local(entry.starts_at)
  if (!entry.all_day || !entry.ends_at) return [first]
  const last = local(entry.ends_at)
  const days = [first]
  for (let day = addDays(first, 1); day <= last && days.length < 62; day = addDays(day, 1))
    days.push(day)
  return days
}

function byDay(data: CalendarData, zone: string) {
  const days = new Map<string, { entries: Entry[]; holidays: Holiday[] }>()
  const at = (day: string) => {
    let found = days.get(day)
    if (!found) days.set(day, (found = { entries: [], holidays: [] }))
    return found
  }
  for (const holiday of data.holidays) at(holiday.date).holidays.push(holiday)
  for (const entry of data.entries)
    for (const day of daysOf(entry, zone))
      if (day >= data.from && day <= data.to) at(day).entries.push(entry)
  return days
}

function EntryLine(props: { entry: Entry; i18n: I18n }) {
  const { entry, i18n } = props
  const when = entry.all_day
    ? i18n.t('calendar.allDay')
    : entry.ends_at
      ? `${i18n.time(entry.starts_at)}–${i18n.time(entry.ends_at)}`
      : i18n.time(entry.starts_at)
  return (
    <li class={`entry kind-${entry.kind}`}>
      <span class="when">{when}</span> <strong>{entry.title}</strong>
      {entry.description ? <small class="muted"> {entry.description}</small> : null}
    </li>
  )
}

function DayEntries(props: {
  day: { entries: Entry[]; holidays: Holiday[] } | undefined
  i18n: I18n
}) {
  if (!props.day) return null
  return (
    <>
      {props.day.holidays.map((holiday) => (
        <p key={holiday.date + holiday.title} class="holiday">
          {props.i18n.t('calendar.holiday', { title: holiday.title })}
        </p>
      ))}
      {props.day.entries.length > 0 && (
        <ul class="entries">
          {props.day.entries.map((entry) => (
            <EntryLine key={entry.uid} entry={entry} i18n={props.i18n} />
          ))}
        </ul>
      )}
    </>
  )
}

/** The days in order, each with its entries: the week and the agenda. */
function DayList(props: {
  from: string
  to: string
  days: ReturnType<typeof byDay>
  all: boolean
}) {
  const i18n = useI18n()
  const list: string[] = []
  for (let day = props.from; day <= props.to; day = addDays(day, 1))
    if (props.all || props.days.has(day)) list.push(day)
  if (list.length === 0) return <Empty text={i18n.t('calendar.nothing')} />
  return (
    <ol class="day-list">
      {list.map((day) => (
        <li key={day} class={day === i18n.today() ? 'today' : ''}>
          <h2 class="day-title">
            <time dateTime={day}>
              {new Intl.DateTimeFormat(i18n.locale, {
                weekday: 'long',
                day: 'numeric',
                month: 'long',
                timeZone: 'UTC',
              }).format(new Date(`${day}T00:00:00Z`))}
            </time>
          </h2>
          {props.days.has(day) ? (
            <DayEntries day={props.days.get(day)} i18n={i18n} />
          ) : (
            <p class="muted">{i18n.t('calendar.free')}</p>
          )}
        </li>
      ))}
    </ol>
  )
}

function MonthGrid(props: {
  from: string
  to: string
  days: ReturnType<typeof byDay>
  weekStart: number
}) {
  const i18n = useI18n()
  const first = startOfWeek(props.from, props.weekStart)
  const weeks: string[][] = []
  for (let day = first; day <= props.to; day = addDays(day, 7))
    weeks.push(Array.from({ length: 7 }, (_, index) => addDays(day, index)))
  const weekdayName = (day: string) =>
    new Intl.DateTimeFormat(i18n.locale, { weekday: 'short', timeZone: 'UTC' }).format(
      new Date(`${day}T00:00:00Z`)
    )
  return (
    <div class="overflow-auto">
      <table class="month">
        <thead>
          <tr>
            {weeks[0].map((day) => (
              <th key={day} scope="col">
                {weekdayName(day)}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {weeks.map((week) => (
            <tr key={week[0]}>
              {week.map((day) => {
                const inMonth = day >= props.from && day <= props.to
                return (
                  <td
                    key={day}
                    class={`${inMonth ? '' : 'outside'} ${day === i18n.today() ? 'today' : ''}`}
                  >
                    <div class="day-number">
                      <time dateTime={day}>{i18n.number(Number(day.slice(8)))}</time>
                    </div>
                    {inMonth ? <DayEntries day={props.days.get(day)} i18n={i18n} /> : null}
                  </td>
                )
              })}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  )
}

/** The secret address of the user's iCalendar feed (events plugin), made on request. */
function Feed() {
  const app = useApp()
  const { t } = useI18n()
  const action = useAction()
  const [address, setAddress] = useState<string | null>(null)
  if (!app.enabled('events') || !app.can('events.calendar.subscribe')) return null
  const make = () =>
    action.run(async () => {
      const made = await api<{ path: string }>('/api/v1/events/calendar/token', {
        method: 'POST',
      })
      setAddress(new URL(made.path, location.origin).href)
    })
  return (
    <section class="feed" aria-labelledby="calendar-feed">
      <h2 id="calendar-feed">{t('calendar.feed')}</h2>
      <p class="muted">{t('calendar.feedHint')}</p>
      {address ? (
        <label>
          {t('calendar.feedAddress')}
          <input type="text" readOnly value={address} onFocus={(e) => e.currentTarget.select()} />
        </label>
      ) : null}
      <button type="button" class="secondary" disabled={action.busy} onClick={make}>
        {address ? t('calendar.feedRenew') : t('calendar.feedMake')}
      </button>
      <Problem error={action.error} />
    </section>
  )
}

const narrow = () => typeof matchMedia === 'function' && matchMedia('(max-width: 600px)').matches

export function Calendar() {
  const app = useApp()
  const i18n = useI18n()
  const { t } = i18n
  const [view, setView] = useState<View>(() => (narrow() ? 'agenda' : 'month'))
  const [anchor, setAnchor] = useState(() => i18n.today())
  useEffect(() => {
    // A month grid does not fit a phone: switch to the agenda when the screen narrows.
    if (typeof matchMedia !== 'function') return
    const query = matchMedia('(max-width: 600px)')
    const change = () => query.matches && setView('agenda')
    query.addEventListener('change', change)
    return () => query.removeEventListener('change', change)
  }, [])
  const weekStart = app.tenant.week_start_day || 1
  const range = rangeOf(view, anchor, weekStart)
  const calendar = useLoad(
    () => api<CalendarData>('/api/v1/app/calendar', { query: range }),
    [range.from, range.to]
  )
  const days = calendar.data ? byDay(calendar.data, i18n.timeZone) : new Map()
  const title =
    view === 'month'
      ? new Intl.DateTimeFormat(i18n.locale, {
          month: 'long',
          year: 'numeric',
          timeZone: 'UTC',
        }).format(new Date(`${range.from}T00:00:00Z`))
      : t('calendar.range', { from: i18n.date(range.from), to: i18n.date(range.to) })
  return (
    <Page title={t('nav.calendar')}>
      <div class="calendar-bar" role="group" aria-label={t('calendar.views')}>
        {(['month', 'week', 'agenda'] as const).map((name) => (
          <button
            key={name}
            type="button"
            class={view === name ? '' : 'secondary outline'}
            aria-pressed={view === name}
            onClick={() => setView(name)}
          >
            {t(`calendar.view.${name}`)}
          </button>
        ))}
      </div>
      <div class="calendar-bar">
        <button type="button" class="secondary" onClick={() => setAnchor(step(view, anchor, -1))}>
          {t('app.previous')}
        </button>
        <button type="button" class="secondary" onClick={() => setAnchor(i18n.today())}>
          {t('calendar.today')}
        </button>
        <button type="button" class="secondary" onClick={() => setAnchor(step(view, anchor, 1))}>
          {t('app.next')}
        </button>
      </div>
      <p role="status" class="calendar-range">
        <strong>{title}</strong>
      </p>
      <Problem error={calendar.error} />
      {calendar.loading && !calendar.data ? <p aria-busy="true" /> : null}
      {calendar.data ? (
        view === 'month' ? (
          <MonthGrid from={range.from} to={range.to} days={days} weekStart={weekStart} />
        ) : (
          <DayList from={range.from} to={range.to} days={days} all={view === 'week'} />
        )
      ) : null}
      <Feed />
    </Page>
  )
}
