/*
 * What the LMS exports to the host and to plugins that depend on it. Plugins
 * call these services; they never read the LMS tables themselves.
 */
export { default } from './plugin.js'
export { announceDueSoon, assignmentDueSoonJob } from './jobs/due_soon.js'
export { gradebook, type GradebookOptions } from './services/gradebook.js'
export { enrolSection } from './services/courses.js'
/* Reads over enrolments, grades and submissions, for the AI (docs/plugins/lms.md, "For other plugins"). */
export {
  courseNames,
  gradeTrends,
  handedInSubmissions,
  lateAndMissingWork,
  studentEnrolments,
  studentsTaughtBy,
  submissionContent,
  teachesCourse,
  teachesStudent,
  type GradeTrend,
  type StudentEnrolment,
  type SubmissionContent,
  type WorkRecord,
} from './services/insights.js'
