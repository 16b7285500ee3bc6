import { E_SERVICE_UNAVAILABLE } from '../http/errors.js'
import { describeOperations } from '../openapi/operations.js'
import { arrayOf, ref } from '../openapi/schemas.js'
import { E_JOB_NOT_FOUND, E_QUEUE_UNKNOWN } from './errors.js'

const QUEUES = ['Platform: queues']

/* The platform's queue routes (core/jobs/routes.ts). */
describeOperations({
  'GET /api/v1/platform/queues': {
    summary: 'Jobs per queue and state',
    tags: QUEUES,
    data: {
      type: 'object',
      properties: { driver: { type: 'string' }, queues: arrayOf(ref('Queue')) },
      required: ['driver', 'queues'],
    },
    errors: [E_SERVICE_UNAVAILABLE],
  },
  'GET /api/v1/platform/queues/:queue/failed': {
    summary: 'Failed jobs of a queue',
    tags: QUEUES,
    query: {
      type: 'object',
      properties: { limit: { type: 'integer', minimum: 1, maximum: 500 } },
    },
    data: arrayOf(ref('FailedJob')),
    errors: [E_QUEUE_UNKNOWN],
  },
  'POST /api/v1/platform/queues/:queue/jobs/:id/retry': {
    summary: 'Queue a failed job again',
    tags: QUEUES,
    status: 202,
    data: { type: 'object' },
    errors: [E_QUEUE_UNKNOWN, E_JOB_NOT_FOUND],
  },
})
