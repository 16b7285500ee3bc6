import type { TransactionClientContract } from '@adonisjs/lucid/types/database'

/*
 * Where a collection's design names its fields besides the definition: its
 * views' settings, its forms' sections, its automations' triggers and actions
 * (placeholders `{{field}}` included), and the create_record actions of other
 * collections' automations that fill this one. A rename rewrites them in the
 * change's transaction, so none is left naming a field that no longer exists;
 * a removal lists them in the plan (they stop showing the field).
 */

type Json = Record<string, any>
type Rename = (name: string) => string

const mapKeys = (record: Json, rename: Rename) =>
  Object.fromEntries(Object.entries(record).map(([key, value]) => [rename(key), value]))

/** `{{ field }}` placeholders of a template. */
const placeholders = (text: unknown, rename: Rename) =>
  typeof text === 'string'
    ? text.replace(/\{\{\s*([a-z][a-z0-9_]{0,39})\s*\}\}/g, (whole, name) =>
        rename(name) === name ? whole : `{{${rename(name)}}}`
      )
    : text

function viewConfig(config: Json, rename: Rename): Json {
  const next: Json = { ...config }
  if (Array.isArray(config.fields)) next.fields = config.fields.map((name: string) => rename(name))
  if (typeof config.sort === 'string')
    next.sort = config.sort
      .split(',')
      .map((item: string) => {
        const descending = item.trim().startsWith('-')
        const name = item.trim().replace(/^-/, '')
        return name ? `${descending ? '-' : ''}${rename(name)}` : item
      })
      .join(',')
  if (config.filters && typeof config.filters === 'object')
    next.filters = mapKeys(config.filters, rename)
  for (const key of ['group_by', 'date_field', 'title_field', 'image_field'])
    if (typeof config[key] === 'string') next[key] = rename(config[key])
  return next
}

function formSections(sections: Json[], rename: Rename): Json[] {
  return sections.map((section) => ({
    ...section,
    fields: Array.isArray(section.fields)
      ? section.fields.map((field: Json) => ({
          ...field,
          ...(typeof field.name === 'string' ? { name: rename(field.name) } : {}),
          ...(field.show_if && typeof field.show_if.field === 'string'
            ? { show_if: { ...field.show_if, field: rename(field.show_if.field) } }
            : {}),
        }))
      : section.fields,
  }))
}

/** An automation of the collection itself: its trigger and action name its fields. */
function ownAutomation(trigger: Json, action: Json, rename: Rename) {
  const when = (value: Json) =>
    value.when && typeof value.when.field === 'string'
      ? { when: { ...value.when, field: rename(value.when.field) } }
      : {}
  const nextTrigger = {
    ...trigger,
    ...(typeof trigger.field === 'string' ? { field: rename(trigger.field) } : {}),
    ...when(trigger),
  }
  const nextAction: Json = { ...action }
  if (typeof action.field === 'string') nextAction.field = rename(action.field)
  if (action.to && typeof action.to.user_field === 'string')
    nextAction.to = { ...action.to, user_field: rename(action.to.user_field) }
  for (const key of ['title', 'body'])
    if (key in action) nextAction[key] = placeholders(action[key], rename)
  if (action.values && typeof action.values === 'object')
    nextAction.values = Object.fromEntries(
      Object.entries(action.values as Json).map(([key, value]) => [
        key,
        placeholders(value, rename),
      ])
    )
  return { trigger: nextTrigger, action: nextAction }
}

/** Another collection's automation creating records here: the keys of its values are our fields. */
function fillingAutomation(action: Json, rename: Rename) {
  return action.values && typeof action.values === 'object'
    ? { ...action, values: mapKeys(action.values, rename) }
    : action
}

type Rewrite = { table: string; id: string; label: string; set: Json }

const json = (value: unknown): Json =>
  typeof value === 'string' ? JSON.parse(value) : ((value ?? {}) as Json)

/** Every rewrite `rename` makes to the design of `collection` (rows whose content changes). */
async function rewrites(
  trx: TransactionClientContract,
  collection: string,
  rename: Rename
): Promise<Rewrite[]> {
  const found: Rewrite[] = []
  const changed = (before: unknown, after: unknown) =>
    JSON.stringify(before) !== JSON.stringify(after)
  for (const view of await trx.from('collection_views').where('collection', collection)) {
    const config = viewConfig(json(view.config), rename)
    if (changed(json(view.config), config))
      found.push({
        table: 'collection_views',
        id: String(view.id),
        label: `view "${view.name}"`,
        set: { config: JSON.stringify(config) },
      })
  }
  for (const form of await trx.from('collection_forms').where('collection', collection)) {
    const before = json(form.sections) as unknown as Json[]
    const sections = Array.isArray(before) ? formSections(before, rename) : before
    if (changed(before, sections))
      found.push({
        table: 'collection_forms',
        id: String(form.id),
        label: `form "${form.slug}"`,
        set: { sections: JSON.stringify(sections) },
      })
  }
  for (const automation of await trx.from('collection_automations')) {
    const [trigger, action] = [json(automation.trigger), json(automation.action)]
    const next =
      automation.collection === collection
        ? ownAutomation(trigger, action, rename)
        : { trigger, action }
    if (action.type === 'create_record' && action.collection === collection)
      next.action = fillingAutomation(next.action, rename)
    if (changed({ trigger, action }, next))
      found.push({
        table: 'collection_automations',
        id: String(automation.id),
        label: `automation "${automation.name}"${automation.collection === collection ? '' : ` of ${automation.collection}`}`,
        set: { trigger: JSON.stringify(next.trigger), action: JSON.stringify(next.action) },
      })
  }
  return found
}

const renaming = (from: string, to: string) => (name: string) => (name === from ? to : name)

/** Views, forms and automations that name `field` of `collection`. */
export async function designsNaming(
  trx: TransactionClientContract,
  collection: string,
  field: string
): Promise<string[]> {
  // A rename to a name no field can have shows where the field is named.
  const found = await rewrites(trx, collection, renaming(field, '\u0000'))
  return found.map((rewrite) => rewrite.label)
}

/** Rewrites the views, forms and automations that name `from` to name `to`; returns what changed. */
export async function renameInDesigns(
  trx: TransactionClientContract,
  collection: string,
  from: string,
  to: string
): Promise<string[]> {
  const found = await rewrites(trx, collection, renaming(from, to))
  for (const rewrite of found)
    await trx
      .from(rewrite.table)
      .where('id', rewrite.id)
      .update({ ...rewrite.set, updated_at: trx.raw('now()') })
  return found.map((rewrite) => rewrite.label)
}
