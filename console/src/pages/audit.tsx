import { useState } from 'preact/hooks'
import { call } from '../api.js'
import { Loading, Pager, Problem, useLoad, when } from '../ui.js'

type Entry = {
  id: string
  actor: string
  action: string
  resource: string | null
  resource_id: string | null
  data: unknown
  created_at: string
}
const FILTERS = ['actor', 'action', 'resource', 'resource_id'] as const

/** The audit log, newest first, with the API's filters. */
export function Audit() {
  const [filters, setFilters] = useState<Record<string, string>>({})
  const [draft, setDraft] = useState<Record<string, string>>({})
  const [page, setPage] = useState(1)
  const entries = useLoad(
    () => call<Entry[]>('/api/v1/admin/audit', { query: { ...filters, page, per_page: 50 } }),
    [JSON.stringify(filters), page]
  )
  const apply = (event: Event) => {
    event.preventDefault()
    setPage(1)
    setFilters(draft)
  }
  const input = (name: string, label: string, type = 'text') => (
    <label>
      {label}
      <input
        type={type}
        name={name}
        value={draft[name] ?? ''}
        onInput={(event) => setDraft({ ...draft, [name]: event.currentTarget.value })}
      />
    </label>
  )
  const pagination = entries.data?.pagination
  return (
    <section aria-labelledby="audit-title">
      <h1 id="audit-title">Audit log</h1>
      <form class="filters" onSubmit={apply} aria-label="Filters">
        {FILTERS.map((name) =>
          input(name, name === 'action' ? 'action (prefix*: core.users.*)' : name.replace('_', ' '))
        )}
        {input('from', 'from', 'date')}
        {input('to', 'to', 'date')}
        <button type="submit">Filter</button>
      </form>
      {entries.error ? <Problem error={entries.error} /> : null}
      {!entries.data ? (
        <Loading what="audit entries" />
      ) : (
        <div class="overflow-auto">
          <table class="striped">
            <thead>
              <tr>
                <th scope="col">When</th>
                <th scope="col">Actor</th>
                <th scope="col">Action</th>
                <th scope="col">Resource</th>
                <th scope="col">Change</th>
              </tr>
            </thead>
            <tbody>
              {entries.data.data.map((entry) => (
                <tr key={entry.id}>
                  <td>{when(entry.created_at)}</td>
                  <td>{entry.actor}</td>
                  <td>{entry.action}</td>
                  <td>{[entry.resource, entry.resource_id].filter(Boolean).join(' ')}</td>
                  <td>
                    <code>{entry.data ? JSON.stringify(entry.data).slice(0, 160) : ''}</code>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <Pager page={page} last={pagination?.last_page ?? 1} onPage={setPage} />
    </section>
  )
}
