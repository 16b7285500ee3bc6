import { defineError } from '../oryne_error.js'

/* Jobs */
export const E_JOB_UNKNOWN = defineError(
  'ERR_JOB_UNKNOWN',
  400,
  'No job named "%s" is registered',
  'Register it with defineJob() in a plugin or core before dispatching it.'
)
export const E_QUEUE_UNKNOWN = defineError(
  'ERR_QUEUE_UNKNOWN',
  404,
  'No queue named "%s"',
  'Run `oryne jobs status` to list the queues.'
)
export const E_JOB_NOT_FOUND = defineError(
  'ERR_JOB_NOT_FOUND',
  404,
  'Job "%s" was not found in queue "%s"'
)
