import { api, Link, Loading, Page, Problem, useI18n, useLoad } from '@oryne/web'
import { InvoiceTable } from './invoices.js'
import { PayOnline } from './pay.js'
import { DayClasses } from './timetable.js'
import {
  addDays,
  nameOf,
  percent,
  type AttendanceStatus,
  type Invoice,
  type MyTimetable,
  type Student,
  type Summary,
} from './common.js'

type Mark = { id: string; date: string; status: AttendanceStatus }

async function loadChild(studentId: string, today: string) {
  const [summary, marks, invoices, timetable] = await Promise.all([
    api<Summary[]>('/api/v1/erp/attendance/summary', {
      query: { from: addDays(today, -29), to: today, student_id: studentId },
    }),
    api<Mark[]>('/api/v1/erp/attendance_marks', {
      query: { 'filter[student_id][eq]': studentId, 'sort': '-date', 'per_page': 10 },
    }),
    api<Invoice[]>('/api/v1/erp/fees/invoices', { query: { student_id: studentId } }),
    api<MyTimetable>('/api/v1/erp/timetable/mine', {
      query: { from: today, student_id: studentId },
    }),
  ])
  return { summary: summary[0] ?? null, marks, invoices, today: timetable.days[0] ?? null }
}

/** One child: attendance over the last 30 days and recent days, today's classes, then fees. */
function Child(props: { student: Student }) {
  const i18n = useI18n()
  const { t } = i18n
  const today = i18n.today()
  const child = useLoad(() => loadChild(props.student.id, today), [props.student.id, today])
  const name = nameOf(props.student)
  const id = `erp-child-${props.student.id}`
  return (
    <section aria-labelledby={id} class="erp-child">
      <h2 id={id}>{name}</h2>
      <Problem error={child.error} />
      {!child.data ? (
        child.error ? null : (
          <Loading what={name} />
        )
      ) : (
        <>
          <h3>{t('erp.children.attendance')}</h3>
          {child.data.summary ? (
            <>
              <p class="erp-percent">
                {t('erp.children.last30', { percent: percent(i18n, child.data.summary.percent) })}
              </p>
              <p class="muted">{t('erp.children.counts', { ...child.data.summary })}</p>
            </>
          ) : (
            <p>{t('erp.children.noRecent')}</p>
          )}
          <h4>{t('erp.children.recent')}</h4>
          {child.data.marks.length ? (
            <ul class="erp-days">
              {child.data.marks.map((mark) => (
                <li key={mark.id}>
                  <span>{i18n.date(mark.date)}</span>{' '}
                  <span class={`erp-tag erp-${mark.status}`}>
                    {t(`erp.attendance.${mark.status}`)}
                  </span>
                </li>
              ))}
            </ul>
          ) : (
            <p>{t('erp.children.noMarks')}</p>
          )}
          {child.data.today ? (
            <>
              <h3>{t('erp.children.timetable')}</h3>
              <DayClasses day={child.data.today} teacher={false} />
            </>
          ) : null}
          <p>
            <Link to={`/erp/children/${props.student.id}/timetable`}>
              {t('erp.children.weekOf', { name })}
            </Link>
          </p>
          <h3>{t('erp.children.fees')}</h3>
          {child.data.invoices.length ? (
            <InvoiceTable
              invoices={child.data.invoices}
              caption={`${t('erp.children.fees')}: ${name}`}
            />
          ) : (
            <p>{t('erp.children.noInvoices')}</p>
          )}
          {/* Below the table, not in it: on a phone the table scrolls sideways, the buttons stay in view. */}
          <div class="erp-pay-list">
            {child.data.invoices.map((invoice) => (
              <PayOnline key={invoice.id} invoice={invoice} />
            ))}
          </div>
          {child.data.invoices.some((invoice) => invoice.balance > 0 && !invoice.payable_online) ? (
            <p class="muted">{t('erp.children.payNote')}</p>
          ) : null}
        </>
      )}
    </section>
  )
}

/** A parent's children (a student sees themself): attendance and fees of each. */
export function Children() {
  const { t } = useI18n()
  const children = useLoad(() =>
    api<Student[]>('/api/v1/erp/students', { query: { sort: 'first_name', per_page: 20 } })
  )
  return (
    <Page title={t('erp.nav.children')}>
      <Problem error={children.error} />
      {!children.data ? (
        children.error ? null : (
          <Loading what={t('erp.nav.children')} />
        )
      ) : children.data.length ? (
        <>
          {children.data.map((student) => (
            <Child key={student.id} student={student} />
          ))}
        </>
      ) : (
        <p>{t('erp.children.none')}</p>
      )}
    </Page>
  )
}
