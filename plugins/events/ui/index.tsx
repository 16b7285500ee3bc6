import { useState } from 'preact/hooks'
import {
  api,
  definePluginUi,
  Empty,
  Loading,
  Notice,
  Page,
  Problem,
  useAction,
  useI18n,
  useLoad,
} from '@oryne/web'

type SchoolEvent = {
  id: string
  title: string
  description: string | null
  starts_at: string
  ends_at: string | null
  all_day: boolean
  venue: string | null
  registration_enabled: boolean
  capacity: number | null
  waitlist: boolean
  registration_closes_at: string | null
  fee: number
}

type Places = { event_id: string; taken: number; waiting: number; free: number | null }

type Registration = {
  id: string
  event_id: string
  status: 'registered' | 'waitlisted' | 'cancelled'
  waitlist_position?: number | null
}

async function upcoming() {
  const [events, registrations] = await Promise.all([
    api<SchoolEvent[]>('/api/v1/events/events', {
      query: {
        'filter[starts_at][gte]': new Date().toISOString(),
        'filter[registration_enabled]': true,
        'sort': 'starts_at',
        'per_page': 50,
      },
    }),
    api<Registration[]>('/api/v1/events/registrations', {
      query: { 'filter[status][ne]': 'cancelled', 'per_page': 100 },
    }),
  ])
  const places = await Promise.all(
    events
      .filter((event) => event.capacity)
      .map((event) => api<Places>(`/api/v1/events/events/${event.id}/places`))
  )
  return {
    events,
    mine: new Map(registrations.map((r) => [String(r.event_id), r])),
    places: new Map(places.map((p) => [String(p.event_id), p])),
  }
}

/** Upcoming events open for registration: register, join the waitlist, or cancel. */
function Registrations() {
  const i18n = useI18n()
  const { t } = i18n
  const load = useLoad(upcoming, [])
  const action = useAction()
  const [done, setDone] = useState<string | null>(null)

  async function register(event: SchoolEvent) {
    setDone(null)
    const made = await action.run(() =>
      api<Registration>(`/api/v1/events/events/${event.id}/register`, { method: 'POST' })
    )
    if (!made) return
    setDone(
      made.status === 'waitlisted'
        ? t('events.waitlisted', { title: event.title, position: made.waitlist_position ?? 0 })
        : t('events.registered', { title: event.title })
    )
    await load.reload()
  }

  async function cancel(event: SchoolEvent, registration: Registration) {
    setDone(null)
    const cancelled = await action.run(() =>
      api(`/api/v1/events/registrations/${registration.id}/cancel`, { method: 'POST' })
    )
    if (!cancelled) return
    setDone(t('events.cancelled', { title: event.title }))
    await load.reload()
  }

  return (
    <Page title={t('events.nav.register')}>
      <Problem error={load.error} />
      <Problem error={action.error} />
      <Notice text={done} />
      {!load.data ? (
        <Loading what={t('events.nav.register')} />
      ) : load.data.events.length === 0 ? (
        <Empty text={t('events.none')} />
      ) : (
        <ul class="campus-cards">
          {load.data.events.map((event) => {
            const mine = load.data!.mine.get(String(event.id))
            const places = load.data!.places.get(String(event.id))
            return (
              <li key={event.id}>
                <article aria-labelledby={`event-${event.id}`}>
                  <h2 id={`event-${event.id}`}>{event.title}</h2>
                  <p>
                    {event.all_day ? i18n.date(event.starts_at) : i18n.dateTime(event.starts_at)}
                    {event.venue ? ` · ${event.venue}` : ''}
                  </p>
                  {event.description ? <p class="muted">{event.description}</p> : null}
                  <p>
                    {event.capacity
                      ? t('events.capacity', { places: event.capacity })
                      : t('events.unlimited')}{' '}
                    {event.capacity
                      ? t(event.waitlist ? 'events.withWaitlist' : 'events.noWaitlist')
                      : ''}
                    {event.fee ? ` ${t('events.fee', { fee: i18n.money(event.fee) })}` : ''}
                  </p>
                  {places ? (
                    <p>
                      {places.free
                        ? t('events.free', { free: places.free })
                        : t('events.full', { waiting: places.waiting })}
                    </p>
                  ) : null}
                  {event.registration_closes_at ? (
                    <p class="muted">
                      {t('events.closes', { at: i18n.dateTime(event.registration_closes_at) })}
                    </p>
                  ) : null}
                  <p class="campus-state">
                    {mine
                      ? mine.status === 'waitlisted'
                        ? t('events.state.waitlisted')
                        : t('events.state.registered')
                      : t('events.state.none')}
                  </p>
                  {mine ? (
                    <button
                      type="button"
                      class="secondary"
                      disabled={action.busy}
                      aria-label={t('events.cancelTitle', { title: event.title })}
                      onClick={() => cancel(event, mine)}
                    >
                      {t('events.cancel')}
                    </button>
                  ) : (
                    <button
                      type="button"
                      disabled={action.busy}
                      aria-label={t('events.registerTitle', { title: event.title })}
                      onClick={() => register(event)}
                    >
                      {t('events.register')}
                    </button>
                  )}
                </article>
              </li>
            )
          })}
        </ul>
      )}
    </Page>
  )
}

export default definePluginUi({ pages: { register: Registrations } })
