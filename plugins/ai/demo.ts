import type { DemoContext, Trx } from '@oryne/sdk'
import { handedInSubmissions, studentEnrolments } from '../lms/index.js'
import { recordInteractions } from './services/interactions.js'
import { canTrainRecommender } from './services/recommendations.js'
import { trainModel } from './services/lifecycle.js'
import { checkSubmission } from './services/plagiarism.js'

/**
 * The AI side of the demo school (after the LMS's): the enrolments the LMS
 * seeded without events become course interactions (the same client ids as
 * the enrolment hook, so nothing counts twice), the recommender is trained
 * when they are enough to measure one (otherwise students get the cold-start
 * picks of their classmates and role), and the demo teacher's submissions are
 * checked for plagiarism, so that each has a report. Kept to a few hundred
 * rows: the demo is seeded in test processes too.
 */
export async function seedAiDemo(trx: Trx, people: DemoContext) {
  const enrolments = await studentEnrolments()
  const { recorded } = enrolments.length
    ? await recordInteractions(
        enrolments.map((enrolment) => ({
          user_id: enrolment.student_user_id,
          item_type: 'courses' as const,
          item_id: enrolment.course_id,
          occurred_at: enrolment.enrolled_at,
          client_id: `lms.enrolment:${enrolment.id}`,
        })),
        'demo',
        trx
      )
    : { recorded: 0 }
  const training = (await canTrainRecommender())
    ? await trainModel('recommendations', 'demo')
    : null
  const teacher = people.teachers[0]
  const submissions = teacher ? await handedInSubmissions(teacher.id) : []
  for (const submission of submissions) await checkSubmission(submission)
  return {
    interactions: recorded,
    recommender_trained: training?.promoted ?? false,
    checked: submissions.length,
  }
}
