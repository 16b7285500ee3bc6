import { count, workDue } from './lms.js'
import { Courses, CourseDesk, AssignmentSubmissions, NewAssignment, ToGrade } from './teacher.js'
import { GradeSubmission } from './grade.js'
import { AssignmentWork, WorkDue, WorkStatus } from './student.js'
import { Gradebook, Grades } from './grades.js'
import { only } from './parts.js'
import { definePluginUi, Empty, Link, Problem, useI18n, useLoad } from '@oryne/web'

const WEEK = 7 * 86_400_000

/** Teacher's home widget: how many handed-in attempts wait for a grade. */
function ToGradeWidget() {
  const { t } = useI18n()
  const waiting = useLoad(() => count('submissions', { 'filter[status]': 'submitted' }), [])
  if (waiting.error) return <Problem error={waiting.error} />
  if (waiting.data === undefined) return <p aria-busy="true" />
  return (
    <p>
      <span class="lms-count">{t('lms.widget.waiting', { count: waiting.data })}</span>{' '}
      <Link to="/lms/to-grade">{t('lms.widget.openToGrade')}</Link>
    </p>
  )
}

/** Student's home widget: work due within a week, with its status. */
function DueSoonWidget() {
  const { t, dateTime } = useI18n()
  const work = useLoad(() => workDue({ per_page: 5, until: new Date(Date.now() + WEEK) }), [])
  if (work.error) return <Problem error={work.error} />
  if (!work.data) return <p aria-busy="true" />
  if (!work.data.data.length) return <Empty text={t('lms.widget.nothingDue')} />
  return (
    <ul>
      {work.data.data.map((row) => (
        <li key={row.assignment_id}>
          <Link to={`/lms/work/${row.assignment_id}`}>{row.title}</Link>{' '}
          <span class="muted">{dateTime(row.due_at)}</span>{' '}
          <WorkStatus attempt={row.latest_attempt} />
        </li>
      ))}
    </ul>
  )
}

/** The LMS in the web app (docs/web.md, "LMS pages"). */
export default definePluginUi({
  pages: {
    'courses': Courses,
    'courses/:id': only('lms.assignments.create', CourseDesk),
    'courses/:id/new-assignment': only('lms.assignments.create', NewAssignment),
    'courses/:id/gradebook': Gradebook,
    'assignments/:id/submissions': only('lms.submissions.grade', AssignmentSubmissions),
    'submissions/:id/grade': only('lms.submissions.grade', GradeSubmission),
    'to-grade': only('lms.submissions.grade', ToGrade),
    'work': WorkDue,
    'work/:id': AssignmentWork,
    'grades': Grades,
  },
  widgets: { 'to-grade': ToGradeWidget, 'due-soon': DueSoonWidget },
})
