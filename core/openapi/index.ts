export { buildOpenApiDocument, registeredRoutes, type DocumentOptions } from './document.js'
export {
  describeOperations,
  schemaOf,
  type OperationDoc,
  type SecuritySchemeName,
} from './operations.js'
export type { JsonSchema } from './schemas.js'
