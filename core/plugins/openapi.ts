import { describeOperations } from '../openapi/operations.js'
import { arrayOf, ref, type JsonSchema } from '../openapi/schemas.js'
import { E_TENANT_NOT_FOUND } from '../tenancy/errors.js'
import {
  E_PLUGIN_DEPENDENCIES_MISSING,
  E_PLUGIN_DISABLED,
  E_PLUGIN_NOT_FOUND,
  E_PLUGIN_REQUIRED_BY,
  E_PLUGIN_UNAVAILABLE,
} from './errors.js'
import { enableBody, settingsBody } from './validators.js'

const PLATFORM = ['Platform: plugins']
const tenantPlugins = (extra: Record<string, JsonSchema>): JsonSchema => ({
  type: 'object',
  properties: { ...extra, plugins: arrayOf(ref('TenantPlugin')) },
  required: ['plugins'],
})
const pluginsAnswer = (key: string): JsonSchema => ({
  type: 'object',
  properties: { [key]: {}, plugins: arrayOf({ type: 'object' }) },
  required: [key, 'plugins'],
})
const moduleEntry: JsonSchema = {
  type: 'object',
  properties: {
    name: { type: 'string' },
    version: { type: ['string', 'null'] },
    available: { type: 'boolean' },
    status: { enum: ['enabled', 'disabled', 'not_installed'] },
    enabled_at: { type: ['string', 'null'], format: 'date-time' },
    description: { type: ['string', 'null'] },
    dependencies: { type: 'object', additionalProperties: { type: 'string' } },
    dependents: arrayOf({ type: 'string' }),
  },
  required: ['name', 'status', 'dependencies', 'dependents'],
}

/* The plugin routes (core/plugins/routes.ts): the platform's, the tenant admin's and the console's. */
describeOperations({
  'GET /api/v1/platform/plugins': {
    summary: 'Installed plugins, available or not (with the reasons)',
    tags: PLATFORM,
    data: arrayOf(ref('Plugin')),
  },
  'GET /api/v1/platform/tenants/:slug/plugins': {
    summary: "Plugins' state for a tenant",
    tags: PLATFORM,
    data: arrayOf(ref('TenantPlugin')),
    errors: [E_TENANT_NOT_FOUND],
  },
  'POST /api/v1/platform/tenants/:slug/plugins/:name/enable': {
    summary: 'Enable a plugin for a tenant',
    description:
      'Dependencies first (unless `with_dependencies` is false), migrations and grants, live at once.',
    tags: PLATFORM,
    body: {
      type: 'object',
      properties: { with_dependencies: { type: 'boolean', default: true } },
    },
    data: tenantPlugins({ enabled: arrayOf({ type: 'string' }) }),
    errors: [
      E_TENANT_NOT_FOUND,
      E_PLUGIN_NOT_FOUND,
      E_PLUGIN_UNAVAILABLE,
      E_PLUGIN_DEPENDENCIES_MISSING,
    ],
  },
  'POST /api/v1/platform/tenants/:slug/plugins/:name/disable': {
    summary: 'Disable a plugin for a tenant (data kept)',
    tags: PLATFORM,
    data: tenantPlugins({ disabled: { type: 'string' } }),
    errors: [E_TENANT_NOT_FOUND, E_PLUGIN_NOT_FOUND, E_PLUGIN_REQUIRED_BY],
  },
  'GET /api/v1/admin/plugins': {
    summary: 'The modules of this tenant and whether each is on',
    tags: ['Admin: plugins'],
    data: arrayOf({ type: 'object' }),
  },
  'POST /api/v1/admin/plugins/:name/enable': {
    summary: 'Turn a module on (its tables, permissions and routes, without a restart)',
    description:
      '`with_dependencies: true` also enables the modules it needs; otherwise a missing one refuses.',
    tags: ['Admin: plugins'],
    body: enableBody,
    data: pluginsAnswer('enabled'),
    errors: [E_PLUGIN_NOT_FOUND, E_PLUGIN_UNAVAILABLE, E_PLUGIN_DEPENDENCIES_MISSING],
  },
  'POST /api/v1/admin/plugins/:name/disable': {
    summary: 'Turn a module off (its data is kept)',
    tags: ['Admin: plugins'],
    data: pluginsAnswer('disabled'),
    errors: [E_PLUGIN_NOT_FOUND, E_PLUGIN_REQUIRED_BY],
  },
  'GET /api/v1/admin/plugins/:name/settings': {
    summary: "A module's settings here: values, defaults and which are secret",
    tags: ['Admin: plugins'],
    data: { type: 'object' },
    errors: [E_PLUGIN_NOT_FOUND, E_PLUGIN_DISABLED],
  },
  'PATCH /api/v1/admin/plugins/:name/settings': {
    summary: "Change a module's settings (null clears one back to its default)",
    tags: ['Admin: plugins'],
    body: settingsBody,
    data: { type: 'object' },
    errors: [E_PLUGIN_NOT_FOUND, E_PLUGIN_DISABLED],
  },
  'GET /api/v1/admin/plugins/catalog': {
    summary: 'Every installed plugin with its state here, description and dependencies',
    description:
      'Needs core.plugins.manage. `dependents`: installed plugins that declare this one.',
    tags: ['Admin: plugins'],
    data: arrayOf(moduleEntry),
  },
  'GET /api/v1/admin/plugins/:name/uninstall-plan': {
    summary: 'What uninstalling a plugin would drop here (dry run: changes nothing)',
    description:
      'Needs core.plugins.manage. The views (dropped first), the tables with their row counts, and ledger rows.',
    tags: ['Admin: plugins'],
    data: {
      type: 'object',
      properties: {
        plugin: { type: 'string' },
        installed: { type: 'boolean' },
        views: arrayOf({
          type: 'object',
          properties: { view: { type: 'string' }, materialized: { type: 'boolean' } },
        }),
        tables: arrayOf({
          type: 'object',
          properties: { table: { type: 'string' }, rows: { type: 'integer' } },
        }),
        ledger_rows: { type: 'integer' },
      },
      required: ['plugin', 'installed', 'views', 'tables', 'ledger_rows'],
    },
    errors: [E_PLUGIN_NOT_FOUND],
  },
})
