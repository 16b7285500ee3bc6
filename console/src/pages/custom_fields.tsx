import { useState } from 'preact/hooks'
import { api, openapi } from '../api.js'
import { Loading, Notice, Problem, useAction, useLoad } from '../ui.js'

const TYPES = ['string', 'text', 'integer', 'decimal', 'boolean', 'date', 'enum'] as const
type Field = {
  name: string
  type: string
  required?: boolean
  values?: string[] | null
  description?: string | null
}

/** Resources of the enabled plugins (`plugin/resource`): their collection paths in the tenant's OpenAPI document. */
async function resources() {
  const [document, catalog] = await Promise.all([
    openapi(),
    api<Array<{ name: string; status: string }>>('/api/v1/admin/plugins/catalog'),
  ])
  const enabled = new Set(
    catalog.filter((entry) => entry.status === 'enabled').map((entry) => entry.name)
  )
  const found = new Set<string>()
  for (const path of Object.keys(document.paths)) {
    const match = /^\/api\/v1\/([a-z0-9-]+)\/([a-z0-9_]+)$/.exec(path)
    if (match && enabled.has(match[1])) found.add(`${match[1]}/${match[2]}`)
  }
  return [...found].sort()
}

/** Custom fields a school adds to a plugin's resource without code. */
export function CustomFields() {
  const list = useLoad(resources)
  const [chosen, setChosen] = useState('')
  const fields = useLoad(
    async () => (chosen ? api<Field[]>(`/api/v1/admin/resources/${chosen}/fields`) : null),
    [chosen]
  )
  const [draft, setDraft] = useState({
    name: '',
    type: 'string',
    required: false,
    values: '',
    description: '',
  })
  const action = useAction()
  const submit = (event: Event) => {
    event.preventDefault()
    action.run(async () => {
      await api(`/api/v1/admin/resources/${chosen}/fields`, {
        method: 'POST',
        body: {
          name: draft.name,
          type: draft.type,
          required: draft.required,
          ...(draft.type === 'enum'
            ? {
                values: draft.values
                  .split(',')
                  .map((v) => v.trim())
                  .filter(Boolean),
              }
            : {}),
          ...(draft.description ? { description: draft.description } : {}),
        },
      })
      setDraft({ ...draft, name: '', values: '', description: '' })
      await fields.reload()
      return `Field ${draft.name} added.`
    })
  }
  const remove = (name: string) =>
    action.run(async () => {
      await api(`/api/v1/admin/resources/${chosen}/fields/${name}`, { method: 'DELETE' })
      await fields.reload()
      return `Field ${name} removed (its values are dropped).`
    })
  if (!list.data) return list.error ? <Problem error={list.error} /> : <Loading what="resources" />
  return (
    <section aria-labelledby="fields-title">
      <h1 id="fields-title">Custom fields</h1>
      <label>
        Resource
        <select onChange={(event) => setChosen(event.currentTarget.value)}>
          <option value="">Choose a resource…</option>
          {list.data.map((name) => (
            <option key={name} value={name} selected={name === chosen}>
              {name}
            </option>
          ))}
        </select>
      </label>
      {chosen && fields.error ? <Problem error={fields.error} /> : null}
      {chosen && fields.data && (
        <>
          <table>
            <thead>
              <tr>
                <th scope="col">Field</th>
                <th scope="col">Type</th>
                <th scope="col">Required</th>
                <th scope="col">Actions</th>
              </tr>
            </thead>
            <tbody>
              {fields.data.map((field) => (
                <tr key={field.name}>
                  <td>{field.name}</td>
                  <td>
                    {field.type}
                    {field.values ? ` (${field.values.join(', ')})` : ''}
                  </td>
                  <td>{field.required ? 'yes' : 'no'}</td>
                  <td>
                    <button
                      class="secondary"
                      disabled={action.pending}
                      onClick={() => remove(field.name)}
                    >
                      Remove {field.name}
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          <h2>Add a field to {chosen}</h2>
          <form onSubmit={submit} class="filters">
            <label>
              Name (snake_case)
              <input
                required
                pattern="[a-z][a-z0-9_]*"
                value={draft.name}
                onInput={(event) => setDraft({ ...draft, name: event.currentTarget.value })}
              />
            </label>
            <label>
              Type
              <select onChange={(event) => setDraft({ ...draft, type: event.currentTarget.value })}>
                {TYPES.map((type) => (
                  <option key={type} selected={type === draft.type}>
                    {type}
                  </option>
                ))}
              </select>
            </label>
            {draft.type === 'enum' && (
              <label>
                Values (comma separated)
                <input
                  required
                  value={draft.values}
                  onInput={(event) => setDraft({ ...draft, values: event.currentTarget.value })}
                />
              </label>
            )}
            <label>
              Description
              <input
                value={draft.description}
                onInput={(event) => setDraft({ ...draft, description: event.currentTarget.value })}
              />
            </label>
            <label>
              <input
                type="checkbox"
                checked={draft.required}
                onChange={(event) => setDraft({ ...draft, required: event.currentTarget.checked })}
              />
              Required
            </label>
            <button type="submit" disabled={action.pending}>
              Add field
            </button>
          </form>
        </>
      )}
      <Problem error={action.error} />
      <Notice text={action.note} />
    </section>
  )
}
