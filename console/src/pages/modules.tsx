import { useState } from 'preact/hooks'
import { api } from '../api.js'
import { DependencyGraph, type ModuleEntry } from '../components/dependency_graph.js'
import { Link, Loading, Notice, Problem, useAction, useLoad } from '../ui.js'

type UninstallPlan = {
  plugin: string
  installed: boolean
  tables: Array<{ table: string; rows: number }>
  ledger_rows: number
}

const STATUS: Record<ModuleEntry['status'], string> = {
  enabled: 'Enabled',
  disabled: 'Disabled (data kept)',
  not_installed: 'Not enabled',
}

/** Every plugin this deployment offers, turned on and off for the school with the API's own refusals. */
export function Modules() {
  const catalog = useLoad(() => api<ModuleEntry[]>('/api/v1/admin/plugins/catalog'))
  const action = useAction()
  const [plan, setPlan] = useState<UninstallPlan | null>(null)

  const change = (entry: ModuleEntry, verb: 'enable' | 'disable') =>
    action.run(async () => {
      setPlan(null)
      await api(`/api/v1/admin/plugins/${entry.name}/${verb}`, { method: 'POST', body: {} })
      await catalog.reload()
      return `${entry.name} ${verb}d.`
    })

  const preview = (entry: ModuleEntry) =>
    action.run(async () => {
      setPlan(await api<UninstallPlan>(`/api/v1/admin/plugins/${entry.name}/uninstall-plan`))
    })

  if (!catalog.data)
    return catalog.error ? <Problem error={catalog.error} /> : <Loading what="modules" />
  const modules = catalog.data.filter((entry) => entry.available)
  return (
    <section aria-labelledby="modules-title">
      <h1 id="modules-title">Modules</h1>
      <DependencyGraph modules={modules} />
      <Problem error={action.error} />
      <Notice text={action.note} />
      {plan && (
        <article aria-labelledby="plan-title" class="plan">
          <h2 id="plan-title">Uninstalling {plan.plugin} would drop (preview, nothing changed)</h2>
          {plan.tables.length ? (
            <table>
              <thead>
                <tr>
                  <th scope="col">Table</th>
                  <th scope="col">Rows</th>
                </tr>
              </thead>
              <tbody>
                {plan.tables.map((table) => (
                  <tr key={table.table}>
                    <td>{table.table}</td>
                    <td>{table.rows}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          ) : (
            <p>No table of this plugin exists in the school's data.</p>
          )}
          <p>
            Migration ledger rows: {plan.ledger_rows}. A platform admin uninstalls with{' '}
            <code>oryne plugin uninstall {plan.plugin} --purge</code> (a backup is taken first).
          </p>
          <button class="secondary" onClick={() => setPlan(null)}>
            Close preview
          </button>
        </article>
      )}
      <div class="cards">
        {modules.map((entry) => (
          <article
            key={entry.name}
            data-plugin={entry.name}
            aria-labelledby={`module-${entry.name}`}
          >
            <header>
              <h2 id={`module-${entry.name}`}>
                {entry.name} <small>{entry.version}</small>
              </h2>
              <span class={`badge ${entry.status}`} data-status={entry.status}>
                {STATUS[entry.status]}
              </span>
            </header>
            <p>{entry.description ?? 'No description.'}</p>
            <p>
              <strong>Needs:</strong>{' '}
              {Object.keys(entry.dependencies).length
                ? Object.entries(entry.dependencies)
                    .map(([name, range]) => `${name} ${range}`)
                    .join(', ')
                : 'nothing'}
              {entry.dependents.length ? (
                <>
                  {' '}
                  · <strong>Needed by:</strong> {entry.dependents.join(', ')}
                </>
              ) : null}
            </p>
            <footer class="actions">
              {entry.status === 'enabled' ? (
                <>
                  <button
                    class="secondary"
                    disabled={action.pending}
                    onClick={() => change(entry, 'disable')}
                  >
                    Disable {entry.name}
                  </button>
                  <Link to={`/data/${entry.name}`}>Open {entry.name} data</Link>
                  <Link to={`/settings/${entry.name}`}>Settings</Link>
                </>
              ) : (
                <button disabled={action.pending} onClick={() => change(entry, 'enable')}>
                  Enable {entry.name}
                </button>
              )}
              {entry.status !== 'not_installed' && (
                <button class="outline" disabled={action.pending} onClick={() => preview(entry)}>
                  Preview uninstall of {entry.name}
                </button>
              )}
            </footer>
          </article>
        ))}
      </div>
    </section>
  )
}
