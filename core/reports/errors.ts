import { defineError } from '../oryne_error.js'

/* Errors of reports, exports, documents and dashboards (listed in docs/reports.md). */
export const E_REPORT_RESOURCE_UNKNOWN = defineError(
  'ERR_REPORT_RESOURCE_UNKNOWN',
  404,
  'No resource "%s" can be exported here',
  'Name a resource as <plugin>.<resource> (e.g. erp.students) of a module this institution enabled.'
)
export const E_REPORT_FORMAT_UNKNOWN = defineError(
  'ERR_REPORT_FORMAT_UNKNOWN',
  400,
  'Unknown export format "%s"',
  'Use "csv" or "xlsx".'
)
export const E_EXPORT_NOT_FOUND = defineError(
  'ERR_EXPORT_NOT_FOUND',
  404,
  'No export "%s"',
  'Use the id POST /api/v1/exports answered; an export is visible to whoever asked for it.'
)
export const E_DOCUMENT_UNKNOWN = defineError(
  'ERR_DOCUMENT_UNKNOWN',
  404,
  'No document "%s"',
  'Name a document as <plugin>.<document> (GET /api/v1/documents lists those of this institution).'
)
export const E_REPORT_SUBSCRIPTION_NOT_FOUND = defineError(
  'ERR_REPORT_SUBSCRIPTION_NOT_FOUND',
  404,
  'No report subscription "%s"'
)
export const E_REPORT_SCHEDULE_INVALID = defineError(
  'ERR_REPORT_SCHEDULE_INVALID',
  400,
  'The schedule "%s" is not a cron expression: %s',
  'Give five fields (minute hour day month weekday), e.g. "0 6 * * *" for 06:00 every day, in the tenant time zone.'
)
