import { api, Link, Problem, useI18n, useLoad } from '@oryne/web'
import {
  mondayOf,
  nameOf,
  percent,
  type Invoice,
  type MyTimetable,
  type Student,
  type Summary,
} from './common.js'

/** A teacher's next class today (the one going on, or the next to start). */
export function TodayWidget() {
  const i18n = useI18n()
  const { t } = i18n
  const timetable = useLoad(() => api<MyTimetable>('/api/v1/erp/timetable/mine'))
  if (timetable.error) return <Problem error={timetable.error} />
  if (!timetable.data) return null
  const now = new Intl.DateTimeFormat('en-GB', {
    timeZone: i18n.timeZone,
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).format(new Date())
  const next = timetable.data.days[0]?.slots.find((slot) => slot.ends_at.slice(0, 5) > now)
  return (
    <>
      <p>
        {next
          ? t('erp.widget.next', {
              subject: next.subject ?? '',
              section: next.section ?? '',
              time: i18n.time(next.starts_at),
            })
          : t('erp.widget.noMore')}
      </p>
      <Link to="/erp/timetable">{t('erp.nav.timetable')}</Link>
    </>
  )
}

/** What a parent's children owe, all invoices together. */
export function FeesDueWidget() {
  const i18n = useI18n()
  const { t } = i18n
  const invoices = useLoad(async () => {
    const all = await api<Invoice[]>('/api/v1/erp/fees/invoices')
    return all.filter((invoice) => invoice.balance > 0)
  })
  if (invoices.error) return <Problem error={invoices.error} />
  if (!invoices.data) return null
  const total = invoices.data.reduce((sum, invoice) => sum + invoice.balance, 0)
  return (
    <>
      <p>
        {total > 0
          ? t('erp.widget.due', { amount: i18n.money(total), count: invoices.data.length })
          : t('erp.widget.nothingDue')}
      </p>
      <Link to="/erp/children">{t('erp.nav.children')}</Link>
    </>
  )
}

/** Each child's attendance from Monday to today. */
export function AttendanceWeekWidget() {
  const i18n = useI18n()
  const { t } = i18n
  const today = i18n.today()
  const week = useLoad(async () => {
    const [children, summaries] = await Promise.all([
      api<Student[]>('/api/v1/erp/students', { query: { per_page: 20 } }),
      api<Summary[]>('/api/v1/erp/attendance/summary', {
        query: { from: mondayOf(today), to: today },
      }),
    ])
    return children.map((child) => ({
      child,
      summary: summaries.find((summary) => String(summary.student_id) === child.id),
    }))
  }, [today])
  if (week.error) return <Problem error={week.error} />
  if (!week.data) return null
  return (
    <ul>
      {week.data.map(({ child, summary }) => (
        <li key={child.id}>
          {summary && summary.percent !== null
            ? t('erp.widget.percent', {
                name: nameOf(child),
                percent: percent(i18n, summary.percent),
              })
            : t('erp.widget.noMarks', { name: nameOf(child) })}
        </li>
      ))}
    </ul>
  )
}
