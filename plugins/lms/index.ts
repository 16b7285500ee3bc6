/*
 * What the LMS exports to the host and to plugins that depend on it. Plugins
 * call these services; they never read the LMS tables themselves.
 */
export { default } from './plugin.js'
export { announceDueSoon, assignmentDueSoonJob } from './jobs/due_soon.js'
export { gradebook, type GradebookOptions } from './services/gradebook.js'
export { enrolSection } from './services/courses.js'
