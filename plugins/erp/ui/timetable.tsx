import { api, Link, Loading, Page, Problem, useI18n, useLoad, type PageProps } from '@oryne/web'
import { useState } from 'preact/hooks'
import { mondayOf, nameOf, type Day, type MyTimetable, type Student } from './common.js'

/** One day's classes: time, subject, section, room; a teacher's lead to the roll call. */
export function DayClasses(props: { day: Day; teacher: boolean }) {
  const i18n = useI18n()
  const { t } = i18n
  if (props.day.holiday)
    return (
      <p class="holiday">
        {t('erp.timetable.holiday', {
          name: props.day.holiday.name ?? props.day.holiday.title ?? '',
        })}
      </p>
    )
  if (!props.day.slots.length) return <p class="muted">{t('erp.timetable.none')}</p>
  return (
    <ol class="erp-classes">
      {props.day.slots.map((slot) => (
        <li key={slot.slot_id}>
          <article class="erp-class">
            <p class="when">
              <strong>
                {t('erp.timetable.time', {
                  from: i18n.time(slot.starts_at),
                  to: i18n.time(slot.ends_at),
                })}
              </strong>{' '}
              <span class="muted">{slot.period}</span>
            </p>
            <p>
              <strong>{slot.subject}</strong> · {slot.section}
              {slot.substitution ? (
                <span class="erp-tag"> {t('erp.timetable.substitution')}</span>
              ) : null}
            </p>
            <p class="muted">
              {slot.room ? t('erp.timetable.room', { room: slot.room }) : null}
              {!props.teacher && slot.teacher
                ? ` ${t('erp.timetable.teacher', { teacher: slot.teacher })}`
                : null}
            </p>
            {props.teacher ? (
              <Link to={`/erp/attendance/${slot.section_id}`} class="erp-take">
                {t('erp.timetable.takeAttendanceOf', { section: slot.section ?? '' })}
              </Link>
            ) : null}
          </article>
        </li>
      ))}
    </ol>
  )
}

/**
 * A timetable: today, or this week day by day; the signed-in teacher's or
 * student's own, or with `studentId` a child's (for their guardian).
 */
function TimetableView(props: { studentId?: string; initial?: 'today' | 'week' }) {
  const i18n = useI18n()
  const { t } = i18n
  const [view, setView] = useState<'today' | 'week'>(props.initial ?? 'today')
  const today = i18n.today()
  const from = view === 'today' ? today : mondayOf(today)
  const days = view === 'today' ? 1 : 7
  const timetable = useLoad(
    () =>
      api<MyTimetable>('/api/v1/erp/timetable/mine', {
        query: { from, days, ...(props.studentId ? { student_id: props.studentId } : {}) },
      }),
    [from, days, props.studentId]
  )
  // While the other view loads, the one before is not shown as if it were this one.
  const data = timetable.loading ? undefined : timetable.data
  return (
    <>
      <div role="group" aria-label={t('erp.timetable.view')} class="erp-toggle">
        {(['today', 'week'] as const).map((option) => (
          <button
            key={option}
            type="button"
            class={view === option ? '' : 'secondary outline'}
            aria-pressed={view === option}
            onClick={() => setView(option)}
          >
            {t(`erp.timetable.${option}`)}
          </button>
        ))}
      </div>
      <Problem error={timetable.error} />
      {!data ? (
        timetable.error ? null : (
          <Loading what={t('erp.nav.timetable')} />
        )
      ) : data.as === null ? (
        <p>{t('erp.timetable.noProfile')}</p>
      ) : view === 'today' ? (
        <section aria-labelledby="erp-today">
          <h2 id="erp-today">
            {t('erp.timetable.today')} · {i18n.date(today, 'long')}
          </h2>
          <DayClasses day={data.days[0]} teacher={data.as === 'teacher'} />
        </section>
      ) : (
        data.days
          .filter((day) => day.weekday <= 5 || day.slots.length > 0)
          .map((day) => (
            <section key={day.date} aria-labelledby={`erp-day-${day.date}`} class="erp-day">
              <h2 id={`erp-day-${day.date}`} class={day.date === today ? 'erp-now' : undefined}>
                {new Intl.DateTimeFormat(i18n.locale, {
                  weekday: 'long',
                  timeZone: 'UTC',
                }).format(new Date(`${day.date}T00:00:00Z`))}{' '}
                · {i18n.date(day.date)}
              </h2>
              <DayClasses day={day} teacher={data.as === 'teacher'} />
            </section>
          ))
      )}
    </>
  )
}

/** The signed-in teacher's or student's timetable. */
export function Timetable() {
  const { t } = useI18n()
  return (
    <Page title={t('erp.nav.timetable')}>
      <TimetableView />
    </Page>
  )
}

/** A child's week for their guardian (the API answers 404 for anyone else's child). */
export function ChildTimetable(props: PageProps) {
  const { t } = useI18n()
  const studentId = props.params.student
  const student = useLoad(() => api<Student>(`/api/v1/erp/students/${studentId}`), [studentId])
  const title = student.data
    ? t('erp.children.timetableOf', { name: nameOf(student.data) })
    : t('erp.children.timetable')
  return (
    <Page title={title} actions={<Link to="/erp/children">{t('erp.nav.children')}</Link>}>
      <Problem error={student.error} />
      <TimetableView studentId={studentId} initial="week" />
    </Page>
  )
}
