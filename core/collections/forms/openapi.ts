import type { OperationDoc } from '../../openapi/operations.js'
import type { JsonSchema } from '../../openapi/schemas.js'
import { E_CONFLICT, E_FORBIDDEN } from '../../errors.js'
import { E_COLLECTION_NOT_FOUND, E_COLLECTION_QUOTA } from '../errors.js'
import {
  E_FORM_CLOSED,
  E_FORM_EXISTS,
  E_FORM_HONEYPOT,
  E_FORM_INVALID,
  E_FORM_NOT_FOUND,
  E_FORM_TOKEN_INVALID,
  E_FORM_TOO_FAST,
} from './errors.js'
import {
  createFormValidator,
  publicSubmissionValidator,
  submissionValidator,
  updateFormValidator,
} from './validators.js'

/* OpenAPI descriptions of the collection form routes. */

const tags = ['Collections: forms']
const security: OperationDoc['security'] = ['tenantUser', 'apiKey', 'platformToken']

const form: JsonSchema = {
  type: 'object',
  required: [
    'id',
    'collection',
    'slug',
    'title',
    'description',
    'public',
    'sections',
    'settings',
    'submissions',
    'created_at',
    'updated_at',
  ],
  properties: {
    id: { type: 'string' },
    collection: { type: 'string' },
    slug: { type: 'string' },
    title: { type: 'string' },
    description: { type: ['string', 'null'] },
    public: { type: 'boolean' },
    sections: { type: 'array', items: { type: 'object' } },
    settings: {
      type: 'object',
      required: ['success_message', 'open', 'max_submissions', 'min_fill_seconds', 'rate_limit'],
      properties: {
        success_message: { type: 'string' },
        open: { type: 'boolean' },
        max_submissions: { type: ['integer', 'null'] },
        min_fill_seconds: { type: 'integer' },
        rate_limit: {
          type: 'object',
          properties: { requests: { type: 'integer' }, per_seconds: { type: 'integer' } },
        },
      },
    },
    submissions: { type: 'integer', description: 'Submissions taken so far' },
    created_at: { type: 'string', format: 'date-time' },
    updated_at: { type: 'string', format: 'date-time' },
  },
}

const renderedField: JsonSchema = {
  type: 'object',
  required: ['name', 'label', 'help', 'type', 'required'],
  properties: {
    name: { type: 'string' },
    label: { type: 'string' },
    help: { type: ['string', 'null'] },
    type: { type: 'string' },
    required: { type: 'boolean' },
    values: { type: 'array', items: { type: 'string' }, description: 'enum: the choices' },
    min: { type: 'number' },
    max: { type: 'number' },
    default: {},
    show_if: {
      type: 'object',
      description: 'Shown only when the earlier field `field` equals `equals` or is one of `in`',
      required: ['field'],
      properties: { field: { type: 'string' }, equals: {}, in: { type: 'array' } },
    },
  },
}

const rendered: JsonSchema = {
  type: 'object',
  required: ['slug', 'title', 'description', 'public', 'sections', 'success_message'],
  properties: {
    slug: { type: 'string' },
    title: { type: 'string' },
    description: { type: ['string', 'null'] },
    public: { type: 'boolean' },
    sections: {
      type: 'array',
      items: {
        type: 'object',
        required: ['title', 'description', 'fields'],
        properties: {
          title: { type: ['string', 'null'] },
          description: { type: ['string', 'null'] },
          fields: { type: 'array', items: renderedField },
        },
      },
    },
    success_message: { type: 'string' },
  },
}

const openedPublic: JsonSchema = {
  allOf: [
    rendered,
    {
      type: 'object',
      required: ['tenant', 'token', 'token_expires_at', 'min_fill_seconds', 'honeypot'],
      properties: {
        tenant: {
          type: 'object',
          description: 'The institution, to show its name in its language and time zone',
          required: ['name', 'locale', 'time_zone'],
          properties: {
            name: { type: 'string' },
            locale: { type: 'string' },
            time_zone: { type: 'string' },
          },
        },
        token: { type: 'string', description: 'Send it back with the submission' },
        token_expires_at: { type: 'string', format: 'date-time' },
        min_fill_seconds: { type: 'integer' },
        honeypot: {
          const: 'website',
          description:
            'The body field to render hidden from people (and assistive technology) and send empty',
        },
      },
    },
  ],
}

const submitted: JsonSchema = {
  type: 'object',
  required: ['message'],
  properties: {
    message: { type: 'string', description: 'The form’s success message' },
    id: {
      type: 'string',
      description: 'The new record (when created with the caller’s own permissions)',
    },
    record: { type: 'object' },
  },
}

const adminErrors = [E_FORBIDDEN, E_COLLECTION_NOT_FOUND]
/** What creating the record may answer: a unique value taken, the collection's records quota. */
const recordErrors = [E_CONFLICT, E_COLLECTION_QUOTA]

export const formDocs = {
  adminList: {
    summary: 'The forms of a collection',
    tags,
    security,
    data: { type: 'array', items: form },
    errors: adminErrors,
  },
  create: {
    summary: 'Create a form of a collection',
    description:
      'Sections of the collection’s fields (each field once), with labels, help and conditions (`show_if: { field, equals }` or `{ field, in: [...] }` on an earlier field). Every field the collection requires without a default must be on the form and unconditional. A public form (`public: true`) takes no reference, file or json field. Settings: `success_message`, `open`, `max_submissions`, and for public forms `min_fill_seconds` (default 3) and `rate_limit` (default 10 per hour per address).',
    tags,
    security,
    body: createFormValidator,
    status: 201,
    data: form,
    errors: [...adminErrors, E_FORM_INVALID, E_FORM_EXISTS],
  },
  update: {
    summary: 'Change a form',
    description: 'New `sections` replace the old ones; `settings` are merged key by key.',
    tags,
    security,
    body: updateFormValidator,
    data: form,
    errors: [...adminErrors, E_FORM_INVALID, E_FORM_EXISTS, E_FORM_NOT_FOUND],
  },
  delete: {
    summary: 'Delete a form (the records it created stay)',
    tags,
    security,
    data: {
      type: 'object',
      required: ['id', 'deleted'],
      properties: { id: { type: 'string' }, deleted: { const: true } },
    },
    errors: [...adminErrors, E_FORM_NOT_FOUND],
  },
  show: {
    summary: 'A form of a collection, to fill in',
    description:
      'For callers holding the collection’s create permission, or anyone signed in when the form is public.',
    tags,
    security,
    data: rendered,
    errors: [...adminErrors, E_FORM_NOT_FOUND],
  },
  submit: {
    summary: 'Submit a form (signed in)',
    description:
      'Creates a record of the collection from `values`: only the form’s fields (others are refused), without those its conditions hide. With the create permission the record is the caller’s (row rules apply, the record is answered); on a public form without it the form is the author.',
    tags,
    security,
    body: submissionValidator,
    status: 201,
    data: submitted,
    errors: [...adminErrors, ...recordErrors, E_FORM_NOT_FOUND, E_FORM_CLOSED],
  },
  openPublic: {
    summary: 'Open a public form (no account)',
    description:
      'The form to render, and a signed token naming the form and when it was opened: the submission brings it back, at least `min_fill_seconds` later and within two hours. Render the `honeypot` field hidden and leave it empty.',
    tags,
    security: [],
    data: openedPublic,
    errors: [E_FORM_NOT_FOUND, E_FORM_CLOSED],
  },
  submitPublic: {
    summary: 'Submit a public form (no account)',
    description:
      'Every attempt counts against the form’s limit per client address (429 ERR_RATE_LIMITED with Retry-After). Refused as 422: a filled honeypot (ERR_FORM_HONEYPOT), a token that is not this form’s or is expired (ERR_FORM_TOKEN_INVALID), a submission sooner than the minimum fill time (ERR_FORM_TOO_FAST). The record is created with the form as the actor (`public_form:<slug>` in the audit log and events), so automations run.',
    tags,
    security: [],
    body: publicSubmissionValidator,
    status: 201,
    data: submitted,
    errors: [
      ...recordErrors,
      E_FORM_NOT_FOUND,
      E_FORM_CLOSED,
      E_FORM_HONEYPOT,
      E_FORM_TOKEN_INVALID,
      E_FORM_TOO_FAST,
    ],
  },
} satisfies Record<string, OperationDoc>
