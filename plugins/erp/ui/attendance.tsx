import {
  api,
  call,
  Loading,
  Notice,
  Page,
  Problem,
  useAction,
  useI18n,
  useLoad,
  type PageProps,
} from '@oryne/web'
import { useState } from 'preact/hooks'
import { nameOf, type AttendanceStatus, type Student } from './common.js'

type Mark = { student_id: string; status: AttendanceStatus }

// One press moves a student along: present → absent → late → present (an excused mark stays until pressed).
const NEXT: Record<AttendanceStatus, AttendanceStatus> = {
  present: 'absent',
  absent: 'late',
  late: 'present',
  excused: 'present',
}
const STATUSES: AttendanceStatus[] = ['present', 'absent', 'late', 'excused']

/** The section's students, and the marks already saved for them on `date`. */
async function loadRoll(sectionId: string, date: string) {
  const [section, students] = await Promise.all([
    api<{ id: string; name: string; class: { name: string } | null }>(
      `/api/v1/erp/sections/${encodeURIComponent(sectionId)}`,
      { query: { include: 'class' } }
    ),
    api<Student[]>('/api/v1/erp/students', {
      query: {
        'filter[section_id][eq]': sectionId,
        'filter[status][eq]': 'active',
        'sort': 'first_name,last_name',
        'per_page': 100,
      },
    }),
  ])
  const marks = students.length
    ? await api<Mark[]>('/api/v1/erp/attendance_marks', {
        query: {
          'filter[date][eq]': date,
          'filter[session][eq]': 'day',
          'filter[student_id][in]': students.map((student) => student.id).join(','),
          'per_page': 100,
        },
      })
    : []
  const before = new Map(marks.map((mark) => [String(mark.student_id), mark.status]))
  return {
    title: section.class ? `${section.class.name} ${section.name}` : section.name,
    students,
    marks,
    /** What each student is marked as when the page opens: the saved mark, else present. */
    initial: Object.fromEntries(
      students.map((student) => [student.id, before.get(student.id) ?? 'present'])
    ) as Record<string, AttendanceStatus>,
  }
}

/**
 * The roll call of a section for one date: everyone present unless pressed
 * (once absent, twice late), one save. Re-opening shows what was saved.
 */
export function Attendance(props: PageProps) {
  const i18n = useI18n()
  const { t } = i18n
  const sectionId = props.params.section
  const date = props.location.query.get('date') || i18n.today()
  const roll = useLoad(() => loadRoll(sectionId, date), [sectionId, date])
  // The teacher's presses, for the roll they were made on: a roll loaded again (another
  // date, a reload) starts from its saved marks in its first render, never from everyone present.
  const [edited, setEdited] = useState<{
    roll: unknown
    statuses: Record<string, AttendanceStatus>
  } | null>(null)
  const statuses: Record<string, AttendanceStatus> = roll.data
    ? edited && edited.roll === roll.data
      ? edited.statuses
      : roll.data.initial
    : {}
  const setStatuses = (
    change: (now: Record<string, AttendanceStatus>) => Record<string, AttendanceStatus>
  ) =>
    // From the latest state, not this render's: two quick presses on one student are two steps.
    setEdited((last) => ({
      roll: roll.data,
      statuses: change(last && last.roll === roll.data ? last.statuses : roll.data!.initial),
    }))
  const [saved, setSaved] = useState<string | null>(null)
  const save = useAction()

  const counts = Object.fromEntries(
    STATUSES.map((status) => [
      status,
      Object.values(statuses).filter((value) => value === status).length,
    ])
  ) as Record<AttendanceStatus, number>
  const summary = t('erp.attendance.summary', { ...counts, total: Object.keys(statuses).length })

  async function submit(event: Event) {
    event.preventDefault()
    setSaved(null)
    const students = roll.data!.students
    const done = await save.run(() =>
      call('/api/v1/erp/attendance/bulk', {
        method: 'POST',
        body: {
          section_id: sectionId,
          date,
          marks: students.map((student) => ({
            student_id: student.id,
            status: statuses[student.id] ?? 'present',
          })),
        },
      })
    )
    if (done) setSaved(t('erp.attendance.saved', { count: students.length, summary }))
  }

  const title = roll.data
    ? t('erp.attendance.title', { section: roll.data.title })
    : t('erp.timetable.takeAttendance')
  return (
    <Page title={title}>
      <p>{t('erp.attendance.on', { date: i18n.date(date, 'long') })}</p>
      <Problem error={roll.error} />
      {!roll.data ? (
        roll.error ? null : (
          <Loading what={t('erp.attendance.students')} />
        )
      ) : !roll.data.students.length ? (
        <p>{t('erp.attendance.noStudents')}</p>
      ) : (
        <form onSubmit={submit} aria-describedby="erp-roll-hint">
          <p id="erp-roll-hint" class="muted">
            {t('erp.attendance.hint')}
          </p>
          {roll.data.marks.length ? <p class="erp-tag">{t('erp.attendance.savedBefore')}</p> : null}
          <ul class="erp-roll" aria-label={t('erp.attendance.students')}>
            {roll.data.students.map((student) => {
              const status = statuses[student.id] ?? 'present'
              return (
                <li key={student.id}>
                  <button
                    type="button"
                    class={`erp-mark erp-${status}`}
                    aria-pressed={status !== 'present'}
                    onClick={() => {
                      setSaved(null)
                      setStatuses((now) => ({
                        ...now,
                        [student.id]: NEXT[now[student.id] ?? 'present'],
                      }))
                    }}
                  >
                    <span class="erp-name">{nameOf(student)}</span>
                    <span class="erp-status">
                      <span class="visually-hidden">: </span>
                      {t(`erp.attendance.${status}`)}
                    </span>
                  </button>
                </li>
              )
            })}
          </ul>
          <p class="erp-summary">{summary}</p>
          <Problem error={save.error} />
          <div class="erp-actions">
            <button
              type="button"
              class="secondary"
              onClick={() => {
                setSaved(null)
                setStatuses((now) =>
                  Object.fromEntries(Object.keys(now).map((id) => [id, 'present']))
                )
              }}
            >
              {t('erp.attendance.allPresent')}
            </button>
            <button type="submit" aria-busy={save.busy} disabled={save.busy}>
              {save.busy ? t('erp.attendance.saving') : t('erp.attendance.save')}
            </button>
          </div>
          <Notice text={saved} />
        </form>
      )}
    </Page>
  )
}
