import vine from '@vinejs/vine'
import { E_VALIDATION } from '../../errors.js'
import {
  FIELD_NAME,
  type CollectionDefinition,
  type Detail,
  type FieldSpec,
} from '../definition.js'

/*
 * The body of POST /api/v1/admin/collections/:name/changes, checked: its
 * shape by VineJS, then each change against the definition as the changes
 * before it leave it. Each field is named by at most one change of a request
 * (rename it in one request, change it in the next), so every step of the
 * plan reads the column as it is stored.
 */

export const ON_INVALID = ['null', 'default'] as const
export type OnInvalid = (typeof ON_INVALID)[number]

export type Change =
  | { op: 'add_field'; name: string; field: FieldSpec }
  | { op: 'rename_field'; from: string; to: string }
  | { op: 'remove_field'; name: string }
  | { op: 'change_field'; name: string; field: Partial<FieldSpec>; on_invalid?: OnInvalid }

export type ChangeRequest = {
  changes: Change[]
  dry_run: boolean
  confirm: boolean
  expected_version?: number
}

/** Where a field of the result was named in the request: its name, and its spec. */
export type ChangedAt = { name: string; spec: string }

const OPS = ['add_field', 'rename_field', 'remove_field', 'change_field'] as const
const MAX_CHANGES = 50

export const changeRequestValidator = vine.compile(
  vine.object({
    changes: vine
      .array(
        vine.object({
          op: vine.enum(OPS),
          name: vine.string().maxLength(100).optional(),
          from: vine.string().maxLength(100).optional(),
          to: vine.string().maxLength(100).optional(),
          field: vine.object({}).allowUnknownProperties().optional(),
          on_invalid: vine.enum(ON_INVALID).optional(),
        })
      )
      .minLength(1)
      .maxLength(MAX_CHANGES),
    dry_run: vine.boolean({ strict: true }).optional(),
    confirm: vine.boolean({ strict: true }).optional(),
    expected_version: vine.number({ strict: true }).withoutDecimals().min(1).optional(),
  })
)

/**
 * The field after a change_field. With `type`, `field` is the whole new spec
 * (what the web app's field editor sends); without, it names only the keys
 * that change, over the stored ones, and a key given as null is removed
 * (`default: null`: no default).
 */
export function mergeField(current: FieldSpec, patch: Record<string, unknown>): FieldSpec {
  // A Map, so that a key such as "__proto__" stays a key (and is refused by the definition check).
  const merged = new Map<string, unknown>(patch.type === undefined ? Object.entries(current) : [])
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) merged.delete(key)
    else merged.set(key, value)
  }
  return Object.fromEntries(merged) as FieldSpec
}

function renameKey<T>(record: Record<string, T>, from: string, to: string): Record<string, T> {
  return Object.fromEntries(
    Object.entries(record).map(([key, value]) => [key === from ? to : key, value])
  )
}

/**
 * Checks the changes against `definition` and returns them with the
 * definition they lead to (not yet checked as a whole: the caller parses it).
 */
export function applyToDefinition(
  definition: CollectionDefinition,
  raw: Array<Record<string, unknown>>
): { changes: Change[]; definition: CollectionDefinition; changedAt: Map<string, ChangedAt> } {
  const details: Detail[] = []
  const fields = structuredClone(definition.fields)
  let working: CollectionDefinition = { ...structuredClone(definition), fields }
  const touched = new Set<string>()
  /** Which change names a field of the result: its problems are reported under that change. */
  const changedAt = new Map<string, ChangedAt>()
  const changes: Change[] = []

  raw.forEach((input, index) => {
    const at = (key: string) => `changes.${index}.${key}`
    const problem = (key: string, rule: string, message: string) =>
      details.push({ field: at(key), rule, message })
    const needs = (...keys: string[]) => {
      const missing = keys.filter((key) => typeof input[key] !== 'string' && key !== 'field')
      if (keys.includes('field') && (typeof input.field !== 'object' || input.field === null))
        missing.push('field')
      for (const key of missing) problem(key, 'required', `${input.op} needs "${key}"`)
      for (const key of ['name', 'from', 'to', 'field', 'on_invalid'])
        if (!keys.includes(key) && input[key] !== undefined)
          problem(key, 'not_allowed', `${input.op} takes no "${key}"`)
      return missing.length === 0
    }
    const once = (key: string, name: string) => {
      if (touched.has(name)) {
        problem(key, 'once', `"${name}" is named by another change of this request; send it next`)
        return false
      }
      touched.add(name)
      return true
    }
    const exists = (key: string, name: string) => {
      if (!Object.hasOwn(working.fields, name)) {
        problem(key, 'unknown_field', `The collection has no field "${name}"`)
        return false
      }
      return true
    }
    const free = (key: string, name: string) => {
      if (!FIELD_NAME.test(name)) {
        problem(
          key,
          'regex',
          'A field name is at most 40 characters: a lowercase letter, then lowercase letters, digits or _'
        )
        return false
      }
      if (Object.hasOwn(working.fields, name)) {
        problem(key, 'exists', `The collection already has a field "${name}"`)
        return false
      }
      return true
    }

    switch (input.op) {
      case 'add_field': {
        if (!needs('name', 'field')) return
        const name = input.name as string
        if (!free('name', name) || !once('name', name)) return
        working.fields[name] = input.field as FieldSpec
        changedAt.set(name, { name: at('name'), spec: at('field') })
        changes.push({ op: 'add_field', name, field: input.field as FieldSpec })
        return
      }
      case 'rename_field': {
        if (!needs('from', 'to')) return
        const [from, to] = [input.from as string, input.to as string]
        if (!exists('from', from) || !free('to', to) || !once('from', from) || !once('to', to))
          return
        working = {
          ...working,
          fields: renameKey(working.fields, from, to),
          ...(working.title === from ? { title: to } : {}),
          ...(working.owner?.field === from ? { owner: { ...working.owner, field: to } } : {}),
        }
        changedAt.set(to, { name: at('to'), spec: at('to') })
        changes.push({ op: 'rename_field', from, to })
        return
      }
      case 'remove_field': {
        if (!needs('name')) return
        const name = input.name as string
        if (!exists('name', name) || !once('name', name)) return
        if (working.owner?.field === name) {
          problem(
            'name',
            'owner_field',
            `"${name}" is the owner field of the collection's "owner only" rule and cannot be removed`
          )
          return
        }
        delete working.fields[name]
        if (working.title === name) delete working.title
        changes.push({ op: 'remove_field', name })
        return
      }
      case 'change_field': {
        if (!needs('name', 'field', ...(input.on_invalid === undefined ? [] : ['on_invalid'])))
          return
        const name = input.name as string
        if (!exists('name', name) || !once('name', name)) return
        const patch = input.field as Record<string, unknown>
        working.fields[name] = mergeField(working.fields[name], patch)
        changedAt.set(name, { name: at('name'), spec: at('field') })
        changes.push({
          op: 'change_field',
          name,
          field: patch as Partial<FieldSpec>,
          on_invalid: input.on_invalid as OnInvalid | undefined,
        })
        return
      }
    }
  })
  if (details.length) throw new E_VALIDATION([], { details })
  return { changes, definition: working, changedAt }
}

/**
 * The problems of the resulting definition (E_VALIDATION of parseDefinition,
 * `fields.<name>.<key>`) under the change that led to them:
 * `changes.<i>.field.<key>`. Others (the title, the owner rule) keep their path.
 */
export function underChanges(error: unknown, changedAt: Map<string, ChangedAt>): unknown {
  const details = (error as { details?: unknown }).details
  if (!Array.isArray(details)) return error
  const moved = details.map((detail: Detail) => {
    const match = /^fields\.([^.]+)(?:\.(.*))?$/.exec(detail.field)
    const where = match ? changedAt.get(match[1]) : undefined
    if (!where) return detail
    return { ...detail, field: match![2] ? `${where.spec}.${match![2]}` : where.name }
  })
  return new E_VALIDATION([], { details: moved })
}
