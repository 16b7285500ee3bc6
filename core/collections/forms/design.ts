import { E_VALIDATION } from '../../errors.js'
import type { CompiledField } from '../../resources/fields.js'
import type { ResourceModel } from '../../resources/model.js'
import type { Detail } from '../../resources/query.js'
import { E_FORM_INVALID } from './errors.js'
import type { FormField, FormSection, FormSettings, ShowIf } from './validators.js'

/*
 * A form's design checked against its collection, what a client renders from
 * it, and a submission's values reduced to what the form asks for. Checked
 * when the form is saved; the collection's own validation runs again on every
 * submission (a field may have changed since).
 */

/** Types a public form cannot take: a stranger has no ids of records or files to give. */
const NOT_PUBLIC = new Set(['reference', 'file', 'json'])

export const DEFAULT_SETTINGS = {
  success_message: 'Thank you: your answers were received.',
  open: true,
  max_submissions: null as number | null,
  min_fill_seconds: 3,
  rate_limit: { requests: 10, per_seconds: 3600 },
}

export type EffectiveSettings = typeof DEFAULT_SETTINGS

export function settingsOf(stored: FormSettings | null | undefined): EffectiveSettings {
  return { ...DEFAULT_SETTINGS, ...stored } as EffectiveSettings
}

/** A field the collection makes every record give, with nothing to fall back on. */
function mustBeGiven(field: CompiledField) {
  const options = field.definition.options
  return options.required === true && (options.default === undefined || options.default === null)
}

function inOrder(sections: FormSection[]) {
  return sections.flatMap((section, s) =>
    section.fields.map((field, f) => ({ field, at: `sections.${s}.fields.${f}` }))
  )
}

function fitsField(field: CompiledField, value: unknown) {
  if (value === null) return !mustBeGiven(field)
  if (field.type === 'enum') return (field.definition.values ?? []).includes(value as string)
  if (field.type === 'boolean') return typeof value === 'boolean'
  return true
}

function problemsOf(model: ResourceModel, sections: FormSection[], isPublic: boolean): Detail[] {
  const details: Detail[] = []
  const seen = new Map<string, CompiledField>()
  for (const { field: item, at } of inOrder(sections)) {
    const problem = (path: string, rule: string, message: string) =>
      details.push({ field: `${at}${path}`, rule, message })
    const field = model.declared.find((declared) => declared.name === item.name)
    if (!field || !field.writable) {
      problem('.name', 'unknown_field', `${model.key} has no field "${item.name}" a form can fill`)
      continue
    }
    if (seen.has(item.name)) problem('.name', 'distinct', `"${item.name}" is on the form twice`)
    if (isPublic && NOT_PUBLIC.has(field.type))
      problem(
        '.name',
        'public_field_type',
        `A public form cannot ask for "${item.name}" (a ${field.type} field)`
      )
    if (item.show_if) {
      const { show_if: rule } = item
      const on = seen.get(rule.field)
      if (!on)
        problem(
          '.show_if.field',
          'earlier_field',
          `A condition depends on a field placed earlier on the form; "${rule.field}" is not`
        )
      if ((rule.equals === undefined) === (rule.in === undefined))
        problem('.show_if', 'one_of', 'A condition has either equals or in')
      for (const value of rule.in ?? (rule.equals === undefined ? [] : [rule.equals]))
        if (value !== null && !['string', 'number', 'boolean'].includes(typeof value))
          problem('.show_if', 'value', 'A condition compares with a text, a number, true or false')
        else if (on && !fitsField(on, value))
          problem('.show_if', 'value', `"${String(value)}" is not a value of ${on.name}`)
      if (mustBeGiven(field))
        problem(
          '.show_if',
          'required_conditional',
          `"${item.name}" is required by the collection, so the form cannot hide it`
        )
    }
    seen.set(item.name, field)
  }
  const missing = model.declared.filter(
    (field) => field.writable && mustBeGiven(field) && !seen.has(field.name)
  )
  for (const field of missing)
    details.push({
      field: 'sections',
      rule: 'required_missing',
      message: `"${field.name}" is required by the collection and has no default: put it on the form`,
    })
  return details
}

/** ERR_FORM_INVALID naming every problem of the design, else nothing. */
export function checkForm(
  collection: string,
  model: ResourceModel,
  sections: FormSection[],
  isPublic: boolean
) {
  const details = problemsOf(model, sections, isPublic)
  if (details.length) throw new E_FORM_INVALID([collection], { details })
}

/**
 * What a client needs to render the form: per field its label, help, type,
 * whether it must be filled, the choices of an enum, bounds and default, and
 * the condition showing it.
 */
export function renderedSections(model: ResourceModel, sections: FormSection[]) {
  return sections.map((section) => ({
    title: section.title ?? null,
    description: section.description ?? null,
    fields: section.fields.flatMap((item) => {
      const field = model.declared.find((declared) => declared.name === item.name)
      if (!field) return []
      const options = field.definition.options
      const label = typeof options.label === 'string' ? options.label : undefined
      return [
        {
          name: item.name,
          label: item.label ?? label ?? item.name.replaceAll('_', ' '),
          help: item.help ?? options.description ?? null,
          type: field.type,
          required: item.required === true || mustBeGiven(field),
          ...(field.type === 'enum' ? { values: [...(field.definition.values ?? [])] } : {}),
          ...(typeof options.min === 'number' ? { min: options.min } : {}),
          ...(typeof options.max === 'number' ? { max: options.max } : {}),
          ...(options.default !== undefined ? { default: options.default } : {}),
          ...(item.show_if ? { show_if: item.show_if } : {}),
        },
      ]
    }),
  }))
}

const empty = (value: unknown) => value === undefined || value === null || value === ''

function matches(value: unknown, rule: ShowIf) {
  const same = (expected: unknown) =>
    expected === null
      ? empty(value)
      : value === expected || (!empty(value) && String(value) === String(expected))
  if (rule.in) return rule.in.some(same)
  return same(rule.equals ?? null)
}

/**
 * The values of a submission the collection is given: only the form's
 * fields (anything else is refused), without the fields its conditions hide
 * (dropped, whatever was sent), and with the fields the form requires filled.
 * An empty string is no answer (what an untouched input sends).
 */
export function acceptValues(
  model: ResourceModel,
  sections: FormSection[],
  values: Record<string, unknown>
) {
  // A field removed from the collection since the form was saved is no longer on it.
  const fields = inOrder(sections)
    .map(({ field }) => field)
    .filter((field) => model.declared.some((declared) => declared.name === field.name))
  const onForm = new Set(fields.map((field) => field.name))
  const details: Detail[] = []
  for (const name of Object.keys(values))
    if (!onForm.has(name))
      details.push({
        field: `values.${name}`,
        rule: 'unknown_field',
        message: `The form has no field "${name}"`,
      })
  const shown = new Set<string>()
  const accepted: Record<string, unknown> = {}
  for (const field of fields as FormField[]) {
    const rule = field.show_if
    if (rule && !(shown.has(rule.field) && matches(values[rule.field], rule))) continue
    shown.add(field.name)
    const value = values[field.name]
    if (empty(value)) {
      const declared = model.declared.find((item) => item.name === field.name)
      if (field.required || (declared && mustBeGiven(declared)))
        details.push({
          field: `values.${field.name}`,
          rule: 'required',
          message: `${field.label ?? field.name} is required`,
        })
      continue
    }
    accepted[field.name] = value
  }
  if (details.length) throw new E_VALIDATION([], { details })
  return accepted
}
