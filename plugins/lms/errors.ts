import { defineError } from '@oryne/sdk'

/* Errors of the LMS plugin (documented in docs/plugins/lms.md). */
export const E_LMS_NOT_FOUND = defineError('ERR_LMS_NOT_FOUND', 404, '%s %s not found')
export const E_INVALID_TRANSITION = defineError(
  'ERR_LMS_INVALID_TRANSITION',
  409,
  'Cannot move %s from "%s" to "%s"',
  'See docs/plugins/lms.md for the submission workflow: draft -> submitted -> graded -> returned.'
)
export const E_SUBMISSION_LOCKED = defineError(
  'ERR_LMS_SUBMISSION_LOCKED',
  409,
  'Submission %s is %s: only a draft can change',
  'Start a new attempt once the teacher has returned this one.'
)
export const E_ATTEMPT_OPEN = defineError(
  'ERR_LMS_ATTEMPT_OPEN',
  409,
  'Attempt %s of assignment %s is still %s',
  'Finish that attempt (a draft is submitted, a submitted attempt waits for the teacher to return it).'
)
export const E_ATTEMPTS_EXHAUSTED = defineError(
  'ERR_LMS_ATTEMPTS_EXHAUSTED',
  409,
  'Assignment %s allows %s attempt(s) and all of them are used',
  'Ask the teacher to allow more attempts.'
)
export const E_PAST_CUT_OFF = defineError(
  'ERR_LMS_PAST_CUT_OFF',
  409,
  'Assignment %s stopped taking submissions at %s (cut-off date)',
  'Ask the teacher to extend the cut-off date.'
)
export const E_LATE_REJECTED = defineError(
  'ERR_LMS_LATE_REJECTED',
  409,
  'Assignment %s was due at %s and takes no late submissions',
  'Ask the teacher to extend the due date or change the late policy.'
)
export const E_NOT_ENROLLED = defineError(
  'ERR_LMS_NOT_ENROLLED',
  409,
  'Student %s is not actively enrolled in course %s',
  'Enrol the student first (POST /api/v1/lms/enrolments or /courses/:id/enrol-section).'
)
export const E_NO_STUDENT_PROFILE = defineError(
  'ERR_LMS_NO_STUDENT_PROFILE',
  403,
  'Your account is not linked to a student record',
  'Ask an administrator to set your user on your ERP student record.'
)
export const E_COURSE_CLOSED = defineError(
  'ERR_LMS_COURSE_CLOSED',
  409,
  'Course %s is %s',
  'Archived courses take no enrolments or submissions; reactivate the course first.'
)
export const E_POINTS_OUT_OF_RANGE = defineError(
  'ERR_LMS_POINTS_OUT_OF_RANGE',
  422,
  'Points %s are outside 0 to %s, the maximum of assignment %s'
)
export const E_RUBRIC_MISMATCH = defineError(
  'ERR_LMS_RUBRIC_MISMATCH',
  422,
  'The rubric selection does not fit the assignment: %s',
  "Choose exactly one level of each criterion of the assignment's rubric (GET /api/v1/lms/rubric_levels?filter[rubric_id][eq]=...)."
)
export const E_SESSION_NOT_OPEN = defineError(
  'ERR_LMS_SESSION_NOT_OPEN',
  409,
  'Live session %s is %s',
  'Join between the opening time and the end of the session.'
)
export const E_DOWNLOAD_LINK_INVALID = defineError(
  'ERR_LMS_DOWNLOAD_LINK_INVALID',
  403,
  'The download link is invalid or has expired',
  'Ask for a fresh link (GET .../download-url); links last a few minutes.'
)
export const E_FILE_MISSING = defineError('ERR_LMS_FILE_MISSING', 404, '%s %s has no file')
export const E_FILE_REJECTED = defineError(
  'ERR_LMS_FILE_REJECTED',
  422,
  'The file was refused: %s',
  'Send one file in the multipart field "file", within the size and type limits of the LMS settings.'
)
