import { useEffect, useState } from 'preact/hooks'
import { ApiError } from '../../kit/api.js'
import { resourceViews } from '../../data/resources.js'
import { useI18n } from '../../kit/i18n.js'
import { Link, useLoad } from '../../kit/ui.js'
import { collectionsApi, type Collection, type FieldSpec } from './api.js'

/** The collection of the address (admin view: its definition and version). */
export function useCollection(name: string) {
  return useLoad(() => collectionsApi.show(name), [name])
}

/** A field's label as the admin gave it, else its name. */
export function labelOf(collection: Collection, field: string) {
  return collection.definition.fields[field]?.label || field
}

/** The collection's fields of `types`, as [name, spec] pairs in definition order. */
export function fieldsOf(collection: Collection, ...types: FieldSpec['type'][]) {
  return Object.entries(collection.definition.fields ?? {}).filter(
    ([, spec]) => types.length === 0 || types.includes(spec.type)
  )
}

export { nameOf } from './names.js'

/** The links between a collection's admin pages. */
export function CollectionTabs(props: { name: string; current: string }) {
  const { t } = useI18n()
  const base = `/collections/${encodeURIComponent(props.name)}`
  const tabs: Array<[string, string]> = [
    ['', 'col.tab.design'],
    ['/records', 'col.tab.records'],
    ['/forms', 'col.tab.forms'],
    ['/automations', 'col.tab.automations'],
  ]
  return (
    <nav aria-label={t('col.tabs')} class="col-tabs">
      <ul>
        {tabs.map(([path, label]) => (
          <li key={path}>
            <Link to={`${base}${path}`} current={props.current === path}>
              {t(label)}
            </Link>
          </li>
        ))}
      </ul>
    </nav>
  )
}

/** The API's per-field details of a refusal (ERR_VALIDATION), as a list under the alert. */
export function RefusalDetails(props: { error: unknown }) {
  const error = props.error
  if (!(error instanceof ApiError) || !Array.isArray(error.details)) return null
  const lines = (error.details as any[])
    .map((detail) =>
      typeof detail === 'string'
        ? detail
        : [detail.field ?? detail.path, detail.message].filter(Boolean).join(': ')
    )
    .filter(Boolean)
  if (lines.length === 0) return null
  return (
    <ul class="col-details">
      {lines.map((line, index) => (
        <li key={index}>{line}</li>
      ))}
    </ul>
  )
}

/** Whether the signed-in user administers collections (`core.collections.manage`). */
export const MANAGE = 'core.collections.manage'

/** The collections the signed-in user may list (their records' views), by label; empty until known. */
export function useReadableCollections() {
  const [list, setList] = useState<Array<{ name: string; title: string }>>([])
  useEffect(() => {
    resourceViews().then(
      (views) =>
        setList(
          views
            .filter((view) => view.plugin === 'collections')
            .map((view) => ({ name: view.name, title: view.title ?? view.name }))
        ),
      () => setList([])
    )
  }, [])
  return list
}

/** A labelled select of fixed choices, `[value, text]` each (the automation form's many). */
export function SelectField(props: {
  id: string
  label: string
  value: string
  options: Array<[string, string]>
  onChange: (value: string) => void
  required?: boolean
}) {
  return (
    <label for={props.id}>
      {props.label}
      <select
        id={props.id}
        value={props.value}
        required={props.required}
        onChange={(event) => props.onChange(event.currentTarget.value)}
      >
        {props.options.map(([value, text]) => (
          <option key={value} value={value}>
            {text}
          </option>
        ))}
      </select>
    </label>
  )
}
