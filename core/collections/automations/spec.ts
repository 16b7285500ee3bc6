import { E_VALIDATION } from '../../errors.js'
import { readTenantDb } from '../../tenancy/tenant_db.js'
import { E_WEBHOOK_URL_INVALID } from '../../webhooks/errors.js'
import { acceptEndpointUrl } from '../../webhooks/url.js'
import type { CollectionDefinition, FieldSpec } from '../definition.js'
import { collectionsOfTenant } from '../registry.js'
import { E_AUTOMATION_INVALID } from './errors.js'

/*
 * What an automation is (docs/collections.md, "Automations"): a trigger on
 * its collection and one action. Checked in two steps: the shape (400
 * ERR_VALIDATION), then what it names — fields, collections, roles, users —
 * against this tenant (422 ERR_AUTOMATION_INVALID), both with a detail per path.
 */

export type Scalar = string | number | boolean | null
export type Condition = { field: string; equals: Scalar }

export type Trigger =
  | { on: 'create'; when?: Condition }
  | { on: 'update'; field?: string; when?: Condition }
  | { on: 'schedule'; every: 'hour' | 'day' | 'week'; at?: string; when?: Condition }

export type Recipient = { role: string } | { user_id: string } | { user_field: string }

export type Action =
  | { type: 'notify'; to: Recipient; title: string; body: string }
  | { type: 'webhook'; url: string }
  | { type: 'set_field'; field: string; value: Scalar }
  | { type: 'create_record'; collection: string; values: Record<string, Scalar> }

type Detail = { field: string; rule: string; message: string }

const NAME = /^[a-z][a-z0-9_]{0,39}$/
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i
const AT = /^([01]\d|2[0-3]):([0-5]\d)$/
/** `{{field}}`: the only template syntax; a value put in is never read again. */
const PLACEHOLDER = /\{\{\s*([a-z][a-z0-9_]{0,39})\s*\}\}/g
const WHOLE_PLACEHOLDER = /^\{\{\s*([a-z][a-z0-9_]{0,39})\s*\}\}$/
/** Record fields every collection has, usable in placeholders and conditions. */
const BUILTIN = ['id', 'created_at', 'updated_at']

const isObject = (value: unknown): value is Record<string, unknown> =>
  !!value && typeof value === 'object' && !Array.isArray(value)
const isScalar = (value: unknown): value is Scalar =>
  value === null || ['string', 'number', 'boolean'].includes(typeof value)

function only(
  value: Record<string, unknown>,
  allowed: string[],
  at: string,
  details: Detail[]
): void {
  for (const key of Object.keys(value))
    if (!allowed.includes(key))
      details.push({ field: `${at}.${key}`, rule: 'unknown', message: `"${key}" is not expected` })
}

function text(
  value: unknown,
  at: string,
  max: number,
  details: Detail[],
  pattern?: { regex: RegExp; message: string }
): string {
  if (typeof value !== 'string' || !value.trim()) {
    details.push({ field: at, rule: 'required', message: 'A non-empty string is required' })
    return ''
  }
  if (value.length > max)
    details.push({ field: at, rule: 'maxLength', message: `At most ${max} characters` })
  else if (pattern && !pattern.regex.test(value))
    details.push({ field: at, rule: 'regex', message: pattern.message })
  return value
}

const fieldName = (value: unknown, at: string, details: Detail[]) =>
  text(value, at, 40, details, { regex: NAME, message: 'A field name of the collection' })

function condition(value: unknown, at: string, details: Detail[]): Condition | undefined {
  if (value === undefined) return undefined
  if (!isObject(value)) {
    details.push({ field: at, rule: 'object', message: 'An object { field, equals }' })
    return undefined
  }
  only(value, ['field', 'equals'], at, details)
  if (!('equals' in value) || !isScalar(value.equals))
    details.push({
      field: `${at}.equals`,
      rule: 'required',
      message: 'A string, number, boolean or null',
    })
  return { field: fieldName(value.field, `${at}.field`, details), equals: value.equals as Scalar }
}

function parseTrigger(value: unknown, details: Detail[]): Trigger {
  const at = 'trigger'
  if (!isObject(value)) {
    details.push({ field: at, rule: 'object', message: 'An object with `on`' })
    return { on: 'create' }
  }
  const when = condition(value.when, `${at}.when`, details)
  const withWhen = when ? { when } : {}
  switch (value.on) {
    case 'create':
      only(value, ['on', 'when'], at, details)
      return { on: 'create', ...withWhen }
    case 'update': {
      only(value, ['on', 'field', 'when'], at, details)
      const field =
        value.field === undefined ? undefined : fieldName(value.field, `${at}.field`, details)
      return { on: 'update', ...(field ? { field } : {}), ...withWhen }
    }
    case 'schedule': {
      only(value, ['on', 'every', 'at', 'when'], at, details)
      if (!['hour', 'day', 'week'].includes(value.every as string))
        details.push({ field: `${at}.every`, rule: 'enum', message: 'One of hour, day, week' })
      const time =
        value.at === undefined
          ? undefined
          : text(value.at, `${at}.at`, 5, details, {
              regex: AT,
              message: 'A time of day HH:MM (24 h) in the institution’s time zone',
            })
      return {
        on: 'schedule',
        every: value.every as 'hour' | 'day' | 'week',
        ...(time ? { at: time } : {}),
        ...withWhen,
      }
    }
    default:
      details.push({ field: `${at}.on`, rule: 'enum', message: 'One of create, update, schedule' })
      return { on: 'create' }
  }
}

function recipient(value: unknown, details: Detail[]): Recipient {
  const at = 'action.to'
  if (!isObject(value) || Object.keys(value).length !== 1) {
    details.push({
      field: at,
      rule: 'object',
      message: 'Exactly one of { role }, { user_id }, { user_field }',
    })
    return { role: '' }
  }
  if ('role' in value) return { role: text(value.role, `${at}.role`, 60, details) }
  if ('user_id' in value)
    return {
      user_id: text(value.user_id, `${at}.user_id`, 36, details, {
        regex: UUID,
        message: 'A user id (uuid)',
      }),
    }
  if ('user_field' in value)
    return { user_field: fieldName(value.user_field, `${at}.user_field`, details) }
  details.push({
    field: at,
    rule: 'object',
    message: 'Exactly one of { role }, { user_id }, { user_field }',
  })
  return { role: '' }
}

function parseAction(value: unknown, details: Detail[]): Action {
  const at = 'action'
  if (!isObject(value)) {
    details.push({ field: at, rule: 'object', message: 'An object with `type`' })
    return { type: 'webhook', url: '' }
  }
  switch (value.type) {
    case 'notify':
      only(value, ['type', 'to', 'title', 'body'], at, details)
      return {
        type: 'notify',
        to: recipient(value.to, details),
        title: text(value.title, `${at}.title`, 200, details),
        body: text(value.body, `${at}.body`, 2000, details),
      }
    case 'webhook':
      only(value, ['type', 'url'], at, details)
      return { type: 'webhook', url: text(value.url, `${at}.url`, 2000, details) }
    case 'set_field':
      only(value, ['type', 'field', 'value'], at, details)
      if (!('value' in value) || !isScalar(value.value))
        details.push({
          field: `${at}.value`,
          rule: 'required',
          message: 'A string, number, boolean or null',
        })
      return {
        type: 'set_field',
        field: fieldName(value.field, `${at}.field`, details),
        value: value.value as Scalar,
      }
    case 'create_record': {
      only(value, ['type', 'collection', 'values'], at, details)
      const values: Record<string, Scalar> = {}
      if (!isObject(value.values))
        details.push({ field: `${at}.values`, rule: 'object', message: 'An object field → value' })
      else
        for (const [key, item] of Object.entries(value.values)) {
          if (!isScalar(item))
            details.push({
              field: `${at}.values.${key}`,
              rule: 'scalar',
              message: 'A string, number, boolean or null',
            })
          values[key] = item as Scalar
        }
      return {
        type: 'create_record',
        collection: text(value.collection, `${at}.collection`, 40, details),
        values,
      }
    }
    default:
      details.push({
        field: `${at}.type`,
        rule: 'enum',
        message: 'One of notify, webhook, set_field, create_record',
      })
      return { type: 'webhook', url: '' }
  }
}

/** The trigger and action of a request body, or ERR_VALIDATION with a detail per path. */
export function parseAutomation(input: { trigger: unknown; action: unknown }) {
  const details: Detail[] = []
  const parsed = {
    trigger: parseTrigger(input.trigger, details),
    action: parseAction(input.action, details),
  }
  if (details.length) throw new E_VALIDATION([], { details })
  return parsed
}

/** The `{{field}}` names a text uses. */
export function placeholdersOf(source: string): string[] {
  return [...source.matchAll(PLACEHOLDER)].map((match) => match[1])
}

function shown(value: unknown): string {
  if (value === null || value === undefined) return ''
  if (typeof value === 'object') return JSON.stringify(value)
  return String(value)
}

/**
 * A text with each `{{field}}` replaced by the record's value as text, in one
 * pass: what a value holds (even `{{...}}`) is inserted as it is, never read
 * as a template.
 */
export function fillText(source: string, record: Record<string, unknown>): string {
  return source.replace(PLACEHOLDER, (_, name: string) => shown(record[name]))
}

/** A value of set_field / create_record: exactly `{{field}}` keeps the value's type; else text is filled. */
export function fillValue(value: Scalar, record: Record<string, unknown>): unknown {
  if (typeof value !== 'string') return value
  const whole = WHOLE_PLACEHOLDER.exec(value)
  if (whole) return record[whole[1]] ?? null
  return fillText(value, record)
}

/**
 * A filled value as the field it goes to takes it: record ids and numbers
 * read from text are numbers for integer and decimal fields, "true" and
 * "false" booleans; anything else is left for the field's own validation.
 */
export function coerce(spec: FieldSpec | undefined, value: unknown): unknown {
  if (typeof value !== 'string' || !spec) return value
  if ((spec.type === 'integer' || spec.type === 'decimal') && /^-?\d+(\.\d+)?$/.test(value))
    return Number(value)
  if (spec.type === 'boolean' && (value === 'true' || value === 'false')) return value === 'true'
  return value
}

/** The cron expression of a schedule trigger (read in the tenant's time zone): weekly is on Mondays. */
export function cronOf(trigger: Extract<Trigger, { on: 'schedule' }>): string {
  const [hour, minute] = (trigger.at ?? '00:00').split(':').map(Number)
  if (trigger.every === 'hour') return `${minute} * * * *`
  if (trigger.every === 'day') return `${minute} ${hour} * * *`
  return `${minute} ${hour} * * 1`
}

/** Whether a record meets a trigger's `when` (values compared as text: 3 and "3" are equal). */
export function meets(when: Condition | undefined, record: Record<string, unknown>) {
  if (!when) return true
  const value = record[when.field]
  if (when.equals === null) return value === null || value === undefined
  return value !== null && value !== undefined && shown(value) === shown(when.equals)
}

type CheckContext = { collection: string; definition: CollectionDefinition }

/**
 * Why a literal value (no placeholder in it) cannot be the field's: an enum
 * value it lacks, text for a number or a yes/no. Null and what the field's
 * own validation judges better (dates, lengths) pass here.
 */
function mismatch(spec: FieldSpec | undefined, value: Scalar): string | null {
  if (!spec || value === null || (typeof value === 'string' && placeholdersOf(value).length))
    return null
  switch (spec.type) {
    case 'enum':
      return spec.values?.includes(String(value))
        ? null
        : `must be one of ${(spec.values ?? []).join(', ')}`
    case 'boolean':
      return typeof value === 'boolean' ? null : 'must be true or false'
    case 'integer':
    case 'decimal':
      return typeof value === 'number' ? null : 'must be a number'
    default:
      return null
  }
}

/**
 * What the automation names must exist in this tenant: fields of its
 * collection (trigger, conditions, placeholders), the user reference field,
 * the role or user to notify, the collection and fields of create_record, a
 * webhook URL Oryne will call. ERR_AUTOMATION_INVALID lists every problem.
 */
export async function checkReferences(
  { trigger, action }: { trigger: Trigger; action: Action },
  { collection, definition }: CheckContext
) {
  const details: Detail[] = []
  const fields = definition.fields
  const known = (name: string) => Object.hasOwn(fields, name) || BUILTIN.includes(name)
  const field = (name: string | undefined, at: string, options: { builtin?: boolean } = {}) => {
    if (name === undefined) return
    if (options.builtin === false ? !Object.hasOwn(fields, name) : !known(name))
      details.push({
        field: at,
        rule: 'unknown_field',
        message: `Collection "${collection}" has no field "${name}"`,
      })
  }
  const typed = (spec: FieldSpec | undefined, value: Scalar, at: string) => {
    const problem = mismatch(spec, value)
    if (problem) details.push({ field: at, rule: 'type', message: `The value ${problem}` })
  }
  const own = (name: string) => (Object.hasOwn(fields, name) ? fields[name] : undefined)
  if (trigger.on === 'update') field(trigger.field, 'trigger.field', { builtin: false })
  field(trigger.when?.field, 'trigger.when.field')
  if (trigger.when) typed(own(trigger.when.field), trigger.when.equals, 'trigger.when.equals')
  if (trigger.when && own(trigger.when.field)?.type === 'json')
    details.push({
      field: 'trigger.when.field',
      rule: 'not_comparable',
      message: `"${trigger.when.field}" is a json field: a condition compares a single value`,
    })
  const placeholders = (source: string, at: string) => {
    for (const name of placeholdersOf(source)) field(name, at)
  }

  switch (action.type) {
    case 'notify': {
      placeholders(action.title, 'action.title')
      placeholders(action.body, 'action.body')
      const to = action.to
      if ('role' in to) {
        const role = await readTenantDb((client, table) =>
          client.from(table('roles')).where('name', to.role).select('id').first()
        )
        if (!role)
          details.push({
            field: 'action.to.role',
            rule: 'unknown_role',
            message: `No role "${to.role}" in this institution`,
          })
      } else if ('user_id' in to) {
        const user = await readTenantDb((client, table) =>
          client.from(table('users')).where('id', to.user_id).select('id').first()
        )
        if (!user)
          details.push({
            field: 'action.to.user_id',
            rule: 'unknown_user',
            message: `No user "${to.user_id}" in this institution`,
          })
      } else {
        const spec = own(to.user_field)
        if (!spec) field(to.user_field, 'action.to.user_field', { builtin: false })
        else if (spec.type !== 'reference' || spec.target !== 'core.users')
          details.push({
            field: 'action.to.user_field',
            rule: 'not_user_reference',
            message: `"${to.user_field}" is not a reference to core.users`,
          })
      }
      break
    }
    case 'webhook':
      try {
        action.url = acceptEndpointUrl(action.url)
      } catch (error) {
        if (!(error instanceof E_WEBHOOK_URL_INVALID)) throw error
        details.push({ field: 'action.url', rule: 'url', message: error.message })
      }
      break
    case 'set_field':
      field(action.field, 'action.field', { builtin: false })
      if (typeof action.value === 'string') placeholders(action.value, 'action.value')
      typed(own(action.field), action.value, 'action.value')
      if (trigger.on === 'schedule' && !trigger.when)
        details.push({
          field: 'action.field',
          rule: 'needs_record',
          message: 'A scheduled automation without `when` acts on no record: it cannot set a field',
        })
      break
    case 'create_record': {
      const { list } = await collectionsOfTenant()
      const target = list.find((row) => row.name === action.collection)
      if (!target)
        details.push({
          field: 'action.collection',
          rule: 'unknown_collection',
          message: `No collection "${action.collection}"`,
        })
      for (const [key, value] of Object.entries(action.values)) {
        if (target && !Object.hasOwn(target.definition.fields, key))
          details.push({
            field: `action.values.${key}`,
            rule: 'unknown_field',
            message: `Collection "${action.collection}" has no field "${key}"`,
          })
        if (typeof value === 'string') placeholders(value, `action.values.${key}`)
        if (target && Object.hasOwn(target.definition.fields, key))
          typed(target.definition.fields[key], value, `action.values.${key}`)
      }
      break
    }
  }
  if (details.length)
    throw new E_AUTOMATION_INVALID([details.map((detail) => detail.field).join(', ')], {
      details,
    })
}
