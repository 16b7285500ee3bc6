import { useEffect, useState } from 'preact/hooks'
import { api, onSession } from '../kit/api.js'
import type { I18n } from '../kit/i18n.js'

/*
 * GET /api/v1/app/resources (core/web/resource_views.ts): the resources the
 * signed-in user may list, with everything the generated views draw from.
 */

export type ReferenceView = {
  target: string
  include: string
  list: string
  search: string | null
  label: string
}

export type FieldView = {
  name: string
  type:
    | 'string'
    | 'text'
    | 'integer'
    | 'decimal'
    | 'boolean'
    | 'date'
    | 'datetime'
    | 'enum'
    | 'json'
    | 'reference'
    | 'file'
  required: boolean
  read_only: boolean
  unique: boolean
  builtin: boolean
  /** A collection field's label (a plugin's fields are named by its catalogue). */
  label?: string | null
  description: string | null
  default: string | number | boolean | null
  min: number | null
  max: number | null
  min_length: number | null
  max_length: number | null
  pattern: string | null
  values: string[] | null
  reference: ReferenceView | null
  sensitive: { mode: 'mask' | 'omit'; visible: boolean } | null
  filters: string[]
  sortable: boolean
}

export type ResourceView = {
  plugin: string
  name: string
  key: string
  /** A collection's label (a plugin's resources are named by its catalogue). */
  title?: string | null
  description: string | null
  path: string
  label_field: string
  default_sort: string
  searchable: boolean
  actions: { create: boolean; update: boolean; delete: boolean }
  fields: FieldView[]
  custom_fields: FieldView[]
}

export type DataRecord = Record<string, any> & { id: string | number }

let loaded: Promise<ResourceView[]> | null = null
onSession(() => {
  loaded = null
})

/** The resource views, loaded once per session (`fresh` after custom fields change). */
export function resourceViews(fresh = false): Promise<ResourceView[]> {
  if (fresh || !loaded) {
    loaded = api<ResourceView[]>('/api/v1/app/resources')
    loaded.catch(() => {
      loaded = null
    })
  }
  return loaded
}

export async function resourceView(plugin: string, name: string) {
  const views = await resourceViews()
  return views.find((view) => view.plugin === plugin && view.name === name) ?? null
}

/** `founded_on` → "Founded on", `advisor_id` → "Advisor", `custom.motto` → "Motto". */
export function humanize(name: string) {
  const words = name
    .replace(/^custom\./, '')
    .replace(/_id$/, '')
    .replaceAll(/[_-]+/g, ' ')
    .trim()
  return words.charAt(0).toUpperCase() + words.slice(1)
}

/** A resource's title: the plugin's `<plugin>.resources.<name>` message, else its name. */
export function resourceTitle(
  i18n: I18n,
  view: Pick<ResourceView, 'plugin' | 'name'> & { title?: string | null }
) {
  if (view.title) return view.title
  const key = `${view.plugin}.resources.${view.name}`
  return i18n.has(key) ? i18n.t(key) : humanize(view.name)
}

/** A field's label: the plugin's `<plugin>.fields.<resource>.<field>` message, else its name. */
export function fieldLabel(i18n: I18n, view: ResourceView, field: FieldView) {
  if (field.name === 'created_at') return i18n.t('data.createdAt')
  if (field.name === 'updated_at') return i18n.t('data.updatedAt')
  if (field.name === 'id') return 'ID'
  if (field.label) return field.label
  const key = `${view.plugin}.fields.${view.name}.${field.name}`
  return i18n.has(key) ? i18n.t(key) : humanize(field.name)
}

/** An enum value's label: the plugin's `<plugin>.values.<resource>.<field>.<value>` message, else the value humanised. */
export function enumLabel(i18n: I18n, view: ResourceView, field: FieldView, value: string) {
  const key = `${view.plugin}.values.${view.name}.${field.name}.${value}`
  return i18n.has(key) ? i18n.t(key) : humanize(value)
}

/** A record's value of `field` (custom fields live under `custom`). */
export function valueOf(record: DataRecord, field: FieldView) {
  if (field.name.startsWith('custom.')) return record.custom?.[field.name.slice(7)]
  return record[field.name]
}

/** What names a record: its label field, else `#id`. */
export function recordLabel(view: ResourceView, record: DataRecord) {
  const value = record[view.label_field]
  return value === null || value === undefined || value === '' ? `#${record.id}` : String(value)
}

/** A field this user can be shown at all (not a sensitive field omitted for them). */
export function shown(field: FieldView) {
  return !(field.sensitive && !field.sensitive.visible && field.sensitive.mode === 'omit')
}

/** Where a reference target's records are in the app (core.users has no generated views). */
export function targetPath(target: string) {
  if (target === 'core.users') return null
  const [plugin, resource] = target.split('.')
  return `/data/${plugin}/${resource}`
}

/** Whether the user may list any resource (the navigation's "Records" link); false until known. */
export function useHasRecords() {
  const [has, setHas] = useState(false)
  useEffect(() => {
    resourceViews().then(
      (views) => setHas(views.length > 0),
      () => setHas(false)
    )
  }, [])
  return has
}
