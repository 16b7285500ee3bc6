import { describeOperations } from '../openapi/operations.js'
import { arrayOf } from '../openapi/schemas.js'
import { E_RESOURCE_NOT_FOUND } from '../resources/errors.js'
import { searchQuery } from './validators.js'

/* GET /api/v1/search (core/search/routes.ts). */
describeOperations({
  'GET /api/v1/search': {
    summary: 'Search every resource you may list, ranked and merged',
    description:
      '`types=erp.students,lms.courses` narrows the resources; with one type, `facets=` counts matches ' +
      'per value and `filter[field]=` narrows as on the list endpoint. Row rules and field visibility ' +
      'apply as in each list.',
    tags: ['Search'],
    query: searchQuery,
    data: arrayOf({ type: 'object' }),
    paginated: true,
    errors: [E_RESOURCE_NOT_FOUND],
  },
})
