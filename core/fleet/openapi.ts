import { describeOperations } from '../openapi/operations.js'
import { arrayOf } from '../openapi/schemas.js'

/* GET /api/v1/platform/fleet (core/fleet/routes.ts). */
describeOperations({
  'GET /api/v1/platform/fleet': {
    summary: 'The fleet’s migration state',
    description:
      'Tenants at their target, to check, failed in the last run (`oryne migrate status`).',
    tags: ['Platform: fleet'],
    data: {
      type: 'object',
      properties: {
        tenants: { type: 'integer' },
        up_to_date: { type: 'integer' },
        to_check: { type: 'integer' },
        failed: arrayOf({ type: 'object' }),
        last_run: { type: ['object', 'null'] },
      },
      required: ['tenants', 'up_to_date', 'to_check', 'failed'],
    },
  },
})
