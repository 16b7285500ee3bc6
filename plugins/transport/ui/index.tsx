import { api, definePluginUi, Empty, Loading, Page, Problem, useI18n, useLoad } from '@oryne/web'

type Assignment = {
  id: string
  student_id: string | null
  student?: { first_name: string; last_name: string } | null
  route?: { code: string; name: string } | null
  stop?: { name: string; pickup_time: string; drop_time: string } | null
  vehicle?: {
    registration: string
    driver_name: string | null
    driver_phone: string | null
  } | null
}

const riding = () =>
  api<Assignment[]>('/api/v1/transport/assignments', {
    query: {
      'filter[status]': 'active',
      'include': 'student,route,stop,vehicle',
      'per_page': 50,
    },
  })

/** Each child's (or the student's own) route, stop, and pickup and drop-off times. */
function PickupTimes() {
  const i18n = useI18n()
  const { t } = i18n
  const load = useLoad(riding, [])
  return (
    <Page title={t('transport.nav.pickups')}>
      <Problem error={load.error} />
      {!load.data ? (
        <Loading what={t('transport.nav.pickups')} />
      ) : load.data.length === 0 ? (
        <Empty text={t('transport.none')} />
      ) : (
        <ul class="campus-cards">
          {load.data.map((ride) => (
            <li key={ride.id}>
              <article aria-labelledby={`ride-${ride.id}`}>
                <h2 id={`ride-${ride.id}`}>
                  {ride.student
                    ? `${ride.student.first_name} ${ride.student.last_name}`
                    : t('transport.you')}
                </h2>
                <dl class="campus-facts">
                  <dt>{t('transport.route')}</dt>
                  <dd>{ride.route ? `${ride.route.code} · ${ride.route.name}` : '—'}</dd>
                  <dt>{t('transport.stop')}</dt>
                  <dd>{ride.stop?.name ?? '—'}</dd>
                  <dt>{t('transport.pickup')}</dt>
                  <dd>{i18n.time(ride.stop?.pickup_time)}</dd>
                  <dt>{t('transport.drop')}</dt>
                  <dd>{i18n.time(ride.stop?.drop_time)}</dd>
                  <dt>{t('transport.vehicle')}</dt>
                  <dd>
                    {ride.vehicle
                      ? t('transport.driver', {
                          registration: ride.vehicle.registration,
                          driver: ride.vehicle.driver_name ?? '—',
                        })
                      : '—'}
                  </dd>
                  {ride.vehicle?.driver_phone ? (
                    <>
                      <dt>{t('transport.phone')}</dt>
                      <dd>
                        <a href={`tel:${ride.vehicle.driver_phone.replace(/\s+/g, '')}`} dir="ltr">
                          {ride.vehicle.driver_phone}
                        </a>
                      </dd>
                    </>
                  ) : null}
                </dl>
              </article>
            </li>
          ))}
        </ul>
      )}
    </Page>
  )
}

export default definePluginUi({ pages: { pickups: PickupTimes } })
