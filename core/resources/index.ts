/*
 * The low-code resource engine (docs/resources.md): declarations, the CRUD
 * service behind /api/v1/<plugin>/<resource>, tenant custom fields, OpenAPI.
 */
export { defineResource, field } from './define_resource.js'
export type {
  FieldDefinition,
  FieldType,
  HookContext,
  ResourceAction,
  ResourceDefinition,
  ResourceHooks,
  ResourcePrincipal,
  ResourceRecord,
  RowRule,
  RowRuleQuery,
  RowRuleSubquery,
} from './define_resource.js'
export { ResourceCatalog, resourceCatalogOf } from './catalog.js'
export { compileResource, defaultTable, resourceProblems, type ResourceModel } from './model.js'
export { ResourceService, type CallOrigin } from './resource_service.js'
export {
  addCustomField,
  customFieldsOf,
  invalidateCustomFields,
  removeCustomField,
  CUSTOM_FIELD_TYPES,
  type CustomFieldDefinition,
} from './custom_fields.js'
export { resourceOpenApi, schemaName, type ResourceOpenApi } from './openapi.js'
export { OPERATORS, OPERATORS_BY_KIND, type Operator } from './fields.js'
