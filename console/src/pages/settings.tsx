import { useState } from 'preact/hooks'
import { api } from '../api.js'
import { Loading, Notice, Problem, useAction, useLoad } from '../ui.js'

type Schema = {
  type?: string | string[]
  enum?: unknown[]
  description?: string
  properties?: Record<string, Schema>
  minimum?: number
  maximum?: number
}
type SettingsView = {
  plugin: string
  status: string
  values: Record<string, unknown>
  schema: Schema | null
}

const kindOf = (schema: Schema) =>
  Array.isArray(schema.type) ? schema.type.find((t) => t !== 'null') : schema.type

/** One input per setting, chosen from its JSON Schema type. */
function Field(props: {
  name: string
  schema: Schema
  value: unknown
  onChange: (value: unknown) => void
}) {
  const { name, schema, value } = props
  const kind = kindOf(schema)
  const hint = schema.description ? <small id={`hint-${name}`}>{schema.description}</small> : null
  const described = schema.description ? `hint-${name}` : undefined
  if (schema.enum)
    return (
      <label>
        {name}
        <select
          name={name}
          aria-describedby={described}
          onChange={(event) => props.onChange(JSON.parse(event.currentTarget.value))}
        >
          {schema.enum.map((option) => (
            <option key={String(option)} value={JSON.stringify(option)} selected={option === value}>
              {String(option)}
            </option>
          ))}
        </select>
        {hint}
      </label>
    )
  if (kind === 'boolean')
    return (
      <label>
        <input
          type="checkbox"
          role="switch"
          name={name}
          aria-describedby={described}
          checked={Boolean(value)}
          onChange={(event) => props.onChange(event.currentTarget.checked)}
        />
        {name}
        {hint}
      </label>
    )
  if (kind === 'number' || kind === 'integer')
    return (
      <label>
        {name}
        <input
          type="number"
          name={name}
          aria-describedby={described}
          step={kind === 'integer' ? 1 : 'any'}
          min={schema.minimum}
          max={schema.maximum}
          value={value === null || value === undefined ? '' : String(value)}
          onInput={(event) =>
            props.onChange(
              event.currentTarget.value === '' ? null : Number(event.currentTarget.value)
            )
          }
        />
        {hint}
      </label>
    )
  if (kind === 'string')
    return (
      <label>
        {name}
        <input
          name={name}
          aria-describedby={described}
          value={value === null || value === undefined ? '' : String(value)}
          onInput={(event) => props.onChange(event.currentTarget.value)}
        />
        {hint}
      </label>
    )
  return (
    <label>
      {name} (JSON)
      <textarea
        name={name}
        aria-describedby={described}
        onChange={(event) => {
          try {
            props.onChange(JSON.parse(event.currentTarget.value))
          } catch {
            props.onChange(event.currentTarget.value)
          }
        }}
      >
        {JSON.stringify(value, null, 2)}
      </textarea>
      {hint}
    </label>
  )
}

/** A plugin's settings form, generated from the settings schema its manifest declares. */
export function Settings(props: { plugin: string }) {
  const view = useLoad(
    () => api<SettingsView>(`/api/v1/admin/plugins/${props.plugin}/settings`),
    [props.plugin]
  )
  const [changes, setChanges] = useState<Record<string, unknown>>({})
  const save = useAction()
  if (!view.data) return view.error ? <Problem error={view.error} /> : <Loading what="settings" />
  const properties = view.data.schema?.properties ?? {}
  const submit = (event: Event) => {
    event.preventDefault()
    save.run(async () => {
      await api(`/api/v1/admin/plugins/${props.plugin}/settings`, {
        method: 'PATCH',
        body: changes,
      })
      setChanges({})
      await view.reload()
      return 'Settings saved.'
    })
  }
  return (
    <section aria-labelledby="settings-title">
      <h1 id="settings-title">{props.plugin} settings</h1>
      {Object.keys(properties).length === 0 ? (
        <p>This plugin has no settings.</p>
      ) : (
        <form onSubmit={submit}>
          {Object.entries(properties).map(([name, schema]) => (
            <Field
              key={name}
              name={name}
              schema={schema}
              value={name in changes ? changes[name] : view.data!.values[name]}
              onChange={(value) => setChanges({ ...changes, [name]: value })}
            />
          ))}
          <Problem error={save.error} />
          <button type="submit" disabled={save.pending || Object.keys(changes).length === 0}>
            Save settings
          </button>
        </form>
      )}
      <Notice text={save.note} />
    </section>
  )
}
