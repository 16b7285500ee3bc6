import { definePlugin } from '@oryne/sdk'
import { aiSettingsDeclaration } from './settings.js'
import { aiRoutes } from './routes.js'
import { trainAtRiskWeekly, trainModelJob, trainRecommendationsWeekly } from './jobs/train_model.js'
import { interactionHooks } from './services/interaction_hooks.js'
import { checkSubmission } from './services/plagiarism.js'
import { aiPrivacy } from './services/privacy.js'
import { seedAiDemo } from './demo.js'

/** Sunday night, when schools are quiet (one hour apart, so that the two trainings do not overlap). */
const WEEKLY_RECOMMENDATIONS = '0 2 * * 0'
const WEEKLY_AT_RISK = '0 3 * * 0'

/**
 * AI: recommendations from implicit feedback, plagiarism detection and
 * at-risk prediction, each served in process from an ONNX model the plugin
 * trains per tenant (or the tenant uploads), through a registry with versions
 * and atomic promotion.
 */
export default definePlugin({
  name: 'ai',
  version: '1.0.0',
  host: '^0.1.0',
  description: 'Recommendations, plagiarism detection and at-risk prediction (in-process ONNX)',
  dependencies: { erp: '^1.0.0', lms: '^1.0.0' },
  permissions: [
    'ai.recommendations.read',
    'ai.interactions.create',
    'ai.models.read',
    'ai.models.manage',
    'ai.plagiarism.check',
    'ai.plagiarism_reports.read',
    'ai.plagiarism_documents.manage',
    'ai.at_risk.read',
  ],
  grants: {
    TenantAdmin: ['ai.*'],
    Teacher: [
      'ai.recommendations.read',
      'ai.plagiarism.check',
      'ai.plagiarism_reports.read',
      'ai.plagiarism_documents.manage',
      'ai.at_risk.read',
    ],
    Student: ['ai.recommendations.read'],
    Parent: ['ai.recommendations.read'],
    Staff: ['ai.recommendations.read'],
  },
  settings: aiSettingsDeclaration,
  jobs: [trainModelJob, trainRecommendationsWeekly, trainAtRiskWeekly],
  schedules: [
    { job: trainRecommendationsWeekly, cron: WEEKLY_RECOMMENDATIONS },
    { job: trainAtRiskWeekly, cron: WEEKLY_AT_RISK },
  ],
  routes: aiRoutes,
  privacy: aiPrivacy,
  demo: seedAiDemo,
  events: {
    ...interactionHooks,
    'lms.submission.created': (event) =>
      checkSubmission(String((event.payload as { submission_id: string }).submission_id)),
  },
  // The web app (ui/index.tsx): a student's recommended courses on the home page.
  ui: {
    widgets: [
      {
        id: 'courses',
        title: 'ai.widget.courses',
        permissions: ['ai.recommendations.read'],
        roles: ['Student'],
      },
    ],
  },
})
