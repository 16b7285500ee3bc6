import { lmsSettingsDeclaration } from './settings.js'
import { seedLmsDemo } from './demo.js'
import { courseSections, courses, enrolments } from './resources/courses.js'
import { materials } from './resources/materials.js'
import { assignments, submissions } from './resources/assignments.js'
import {
  gradeCategories,
  grades,
  rubricCriteria,
  rubricLevels,
  rubrics,
} from './resources/grading.js'
import { liveAttendance, liveSessions } from './resources/live.js'
import {
  courseHooks,
  enrolmentHooks,
  syncStudentUser,
  syncTeacherUser,
} from './services/courses.js'
import { assignmentHooks, rubricCriterionHooks, rubricLevelHooks } from './services/grading.js'
import { materialHooks } from './services/materials.js'
import { liveAttendanceHooks, liveSessionHooks } from './services/live.js'
import { lmsRoutes } from './routes.js'
import { lmsAppRoutes } from './app_routes.js'
import { lmsDocuments } from './documents.js'
import { lmsStats } from './stats.js'
import { lmsNotifications, notifyAssignmentDue, notifyGradePublished } from './notifications.js'
import { assignmentDueSoonJob, DUE_SOON_CRON } from './jobs/due_soon.js'
import { lmsCalendar } from './calendar.js'
import {
  crudPermissions,
  definePlugin,
  type ResourceDefinition,
  type ResourceHooks,
} from '@oryne/sdk'

const HOOKS: Record<string, ResourceHooks> = {
  courses: courseHooks,
  enrolments: enrolmentHooks,
  materials: materialHooks,
  assignments: assignmentHooks,
  rubric_criteria: rubricCriterionHooks,
  rubric_levels: rubricLevelHooks,
  live_sessions: liveSessionHooks,
  live_attendance: liveAttendanceHooks,
}

const RESOURCES: ResourceDefinition[] = [
  courses,
  courseSections,
  enrolments,
  materials,
  gradeCategories,
  rubrics,
  rubricCriteria,
  rubricLevels,
  assignments,
  submissions,
  grades,
  liveSessions,
  liveAttendance,
].map((resource) =>
  HOOKS[resource.name] ? { ...resource, hooks: HOOKS[resource.name] } : resource
)

const all = (...names: string[]) =>
  crudPermissions(
    'lms',
    RESOURCES.filter((r) => names.includes(r.name))
  )
const read = (...names: string[]) => names.map((name) => `lms.${name}.read`)

/** Course content everyone in a course reads. */
const CONTENT = [
  'courses',
  'course_sections',
  'materials',
  'grade_categories',
  'rubrics',
  'rubric_criteria',
  'rubric_levels',
  'assignments',
  'live_sessions',
]
/** Records of one student. */
const STUDENT_RECORDS = ['enrolments', 'submissions', 'grades', 'live_attendance']

/**
 * LMS: courses drawn from ERP teachers and students, materials, assignments
 * with attempts and late policies, rubric grading, weighted gradebooks and
 * live classes. A Teacher manages the courses they teach, a Student sees
 * their own work, a Parent their children's (resources/rules.ts).
 */
export default definePlugin({
  name: 'lms',
  version: '1.0.0',
  host: '^0.1.0',
  description:
    'Courses, materials, assignments and submissions, rubrics and gradebooks, live classes',
  dependencies: { erp: '^1.0.0' },
  permissions: [
    ...crudPermissions('lms', RESOURCES),
    'lms.submissions.submit',
    'lms.submissions.grade',
    'lms.grades.release',
    'lms.gradebook.read',
    'lms.live_sessions.join',
    'lms.live_attendance.capture',
  ],
  grants: {
    TenantAdmin: ['lms.*'],
    // Teachers are assigned their courses by an admin and manage everything inside them.
    Teacher: [
      'lms.courses.read',
      'lms.courses.update',
      ...all(
        'course_sections',
        'enrolments',
        'materials',
        'grade_categories',
        'rubrics',
        'rubric_criteria',
        'rubric_levels',
        'assignments',
        'live_sessions',
        'live_attendance'
      ),
      ...read('submissions', 'grades'),
      'lms.submissions.grade',
      'lms.grades.release',
      'lms.gradebook.read',
      'lms.live_sessions.join',
      'lms.live_attendance.capture',
    ],
    Student: [
      ...read(...CONTENT, ...STUDENT_RECORDS),
      'lms.submissions.submit',
      'lms.gradebook.read',
      'lms.live_sessions.join',
    ],
    Parent: [...read(...CONTENT, ...STUDENT_RECORDS), 'lms.gradebook.read'],
    // The registrar's office: the course catalogue and enrolments.
    Staff: [...read('courses', 'course_sections', 'live_sessions'), ...all('enrolments')],
  },
  settings: lmsSettingsDeclaration,
  demo: seedLmsDemo,
  documents: lmsDocuments,
  stats: lmsStats,
  calendar: lmsCalendar,
  schedules: [{ job: assignmentDueSoonJob, cron: DUE_SOON_CRON }],
  resources: RESOURCES,
  routes: (router) => {
    lmsRoutes(router)
    lmsAppRoutes(router)
  },
  notifications: lmsNotifications,
  events: {
    'erp.teachers.updated': syncTeacherUser,
    'erp.students.updated': syncStudentUser,
    'lms.grade.published': notifyGradePublished,
    'lms.assignment.due_soon': notifyAssignmentDue,
  },
  // The web app's LMS pages (ui/index.tsx, docs/web.md "LMS pages").
  ui: {
    nav: [
      { id: 'courses', label: 'lms.nav.courses', path: '/lms/courses', roles: ['Teacher'] },
      {
        id: 'to-grade',
        label: 'lms.nav.toGrade',
        path: '/lms/to-grade',
        roles: ['Teacher'],
        permissions: ['lms.submissions.grade'],
        order: 110,
      },
      {
        id: 'work',
        label: 'lms.nav.work',
        path: '/lms/work',
        roles: ['Student', 'Parent'],
        permissions: ['lms.assignments.read'],
      },
      {
        id: 'grades',
        label: 'lms.nav.grades',
        path: '/lms/grades',
        roles: ['Student', 'Parent'],
        permissions: ['lms.grades.read'],
        order: 110,
      },
    ],
    widgets: [
      {
        id: 'to-grade',
        title: 'lms.widget.toGrade',
        roles: ['Teacher'],
        permissions: ['lms.submissions.grade'],
      },
      {
        id: 'due-soon',
        title: 'lms.widget.dueSoon',
        roles: ['Student'],
        permissions: ['lms.submissions.submit'],
      },
    ],
  },
})
