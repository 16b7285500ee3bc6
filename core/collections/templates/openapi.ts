import { E_FORBIDDEN } from '../../errors.js'
import type { OperationDoc } from '../../openapi/operations.js'
import type { JsonSchema } from '../../openapi/schemas.js'
import { E_COLLECTION_EXISTS, E_COLLECTION_NOT_FOUND, E_COLLECTION_QUOTA } from '../errors.js'
import { E_AUTOMATION_INVALID } from '../automations/errors.js'
import { E_FORM_INVALID } from '../forms/errors.js'
import { E_VIEW_EXISTS, E_VIEW_INVALID } from '../views/errors.js'
import { E_COLLECTION_TEMPLATE_FORMAT, E_COLLECTION_TEMPLATE_TARGETS } from './errors.js'

/* OpenAPI descriptions of the collection template routes. */

const security: OperationDoc['security'] = ['tenantUser', 'apiKey', 'platformToken']
const tags = ['Collections']

const template: JsonSchema = {
  type: 'object',
  required: [
    'oryne_collection_template',
    'name',
    'label',
    'definition',
    'views',
    'forms',
    'automations',
  ],
  properties: {
    oryne_collection_template: { const: 1, description: 'The format version' },
    name: { type: 'string' },
    label: { type: 'string' },
    description: { type: ['string', 'null'] },
    definition: { type: 'object', description: 'As in POST /api/v1/admin/collections' },
    views: {
      type: 'array',
      items: {
        type: 'object',
        required: ['name', 'kind', 'config', 'position'],
        properties: {
          name: { type: 'string' },
          kind: { type: 'string' },
          config: { type: 'object' },
          position: { type: 'integer' },
        },
      },
    },
    forms: {
      type: 'array',
      items: {
        type: 'object',
        required: ['slug', 'title', 'sections', 'public'],
        properties: {
          slug: { type: 'string' },
          title: { type: 'string' },
          description: { type: ['string', 'null'] },
          sections: { type: 'array', items: { type: 'object' } },
          public: { type: 'boolean' },
          settings: { type: 'object' },
        },
      },
    },
    automations: {
      type: 'array',
      items: {
        type: 'object',
        required: ['name', 'trigger', 'action', 'enabled'],
        properties: {
          name: { type: 'string' },
          trigger: { type: 'object' },
          action: { type: 'object' },
          enabled: { type: 'boolean' },
          needs: {
            type: 'string',
            description:
              'Set when the automation cannot be imported as it is (it notified one user by id; the id is left out)',
          },
        },
      },
    },
  },
}

export const templateDocs = {
  export: {
    summary: 'A collection’s design as a template (no records)',
    description:
      'The definition, saved views, forms and automations of the collection, without ids or records, as a versioned document (`oryne_collection_template: 1`) that POST /api/v1/admin/collections/import (or `oryne collection import`) turns into a collection here or in another institution. An automation that notifies one user by id is exported without the id and flagged with `needs`.',
    tags,
    security,
    data: template,
    errors: [E_FORBIDDEN, E_COLLECTION_NOT_FOUND],
  },
  import: {
    summary: 'Create a collection from a template',
    description:
      'Creates the collection (`name`, default the template’s) with its table, views, forms and automations in one transaction, each checked as by its own admin route; any error leaves nothing behind. References to the template’s own collection follow the new name. A form slug already taken here gets a `-<n>` suffix (`forms` lists each slug as imported). Automations flagged `needs` are not imported and are listed in `needs_attention`. References to collections or modules this institution lacks answer ERR_COLLECTION_TEMPLATE_TARGETS naming them. Webhook automations get new signing secrets, shown once in `webhook_secrets`.',
    tags,
    security,
    body: {
      type: 'object',
      required: ['template'],
      properties: {
        template,
        name: { type: 'string', pattern: '^[a-z][a-z0-9_]{1,38}$' },
      },
    },
    status: 201,
    location: '/api/v1/admin/collections/{name}',
    data: {
      type: 'object',
      required: [
        'collection',
        'views',
        'forms',
        'automations',
        'webhook_secrets',
        'needs_attention',
      ],
      properties: {
        collection: { type: 'object', description: 'As GET /api/v1/admin/collections/{name}' },
        views: { type: 'integer' },
        forms: {
          type: 'array',
          items: {
            type: 'object',
            required: ['slug', 'template_slug'],
            properties: { slug: { type: 'string' }, template_slug: { type: 'string' } },
          },
        },
        automations: { type: 'integer' },
        webhook_secrets: {
          type: 'array',
          description:
            'The new signing secret of each webhook automation (a template carries none), shown only here',
          items: {
            type: 'object',
            required: ['automation', 'secret'],
            properties: { automation: { type: 'string' }, secret: { type: 'string' } },
          },
        },
        needs_attention: { type: 'array', items: { type: 'string' } },
      },
    },
    errors: [
      E_FORBIDDEN,
      E_COLLECTION_TEMPLATE_FORMAT,
      E_COLLECTION_TEMPLATE_TARGETS,
      E_COLLECTION_EXISTS,
      E_COLLECTION_QUOTA,
      E_VIEW_INVALID,
      E_VIEW_EXISTS,
      E_FORM_INVALID,
      E_AUTOMATION_INVALID,
    ],
  },
} satisfies Record<string, OperationDoc>
