import { invalidField, type ResourceHooks } from '@oryne/sdk'

type Data = Record<string, unknown>

/** A JSON list of short strings (ids as strings, so that the audience view matches them). */
function stringList(data: Data, name: string, pattern: RegExp) {
  const value = data[name]
  if (value === undefined || value === null) return
  if (!Array.isArray(value) || value.length > 500) {
    throw invalidField(name, 'array', `The ${name} field takes a list of at most 500 entries`)
  }
  const items = value.map((item) => (typeof item === 'number' ? String(item) : item))
  const bad = items.find((item) => typeof item !== 'string' || !pattern.test(item))
  if (bad !== undefined) throw invalidField(name, 'pattern', `Invalid entry in ${name}`)
  data[name] = [...new Set(items as string[])]
}

function normaliseAudience(data: Data) {
  stringList(data, 'audience_class_ids', /^\d{1,18}$/)
  stringList(data, 'audience_roles', /^[A-Za-z][A-Za-z0-9_ -]{0,60}$/)
}

/** Products: audience lists are checked and stored as lists of strings. */
export const productHooks: ResourceHooks = {
  beforeCreate: (data) => normaliseAudience(data),
  beforeUpdate: (changes) => normaliseAudience(changes),
}
