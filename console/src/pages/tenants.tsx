import { useEffect, useState } from 'preact/hooks'
import { api, call } from '../api.js'
import { Loading, Notice, Pager, Problem, useAction, useLoad, when } from '../ui.js'

type Tenant = {
  id: string
  slug: string
  name: string
  status: string
  plan: string | null
  provisioning: {
    step?: string | null
    error?: string | null
    attempts?: number
    duration_ms?: number | null
  } | null
  admin_email: string | null
  created_at: string
}

const STEPS = ['create_schema', 'migrate', 'seed', 'admin', 'activate']

/** What a platform admin may do next from each state (docs/tenancy.md: lifecycle). */
const ACTIONS: Record<string, string[]> = {
  provisioning: [],
  failed: ['retry'],
  active: ['suspend', 'archive'],
  suspended: ['resume', 'archive'],
  archived: ['restore'],
}

function Progress(props: { tenant: Tenant }) {
  const { tenant } = props
  if (tenant.status !== 'provisioning' && tenant.status !== 'failed') return null
  const step = tenant.provisioning?.step ?? STEPS[0]
  const done = Math.max(0, STEPS.indexOf(step))
  return (
    <>
      <progress
        value={done}
        max={STEPS.length}
        aria-label={`Provisioning ${tenant.slug}: ${step}`}
      />
      <small>
        {step}
        {tenant.provisioning?.error ? ` — ${tenant.provisioning.error}` : ''}
      </small>
    </>
  )
}

/** Every tenant with its state, its lifecycle actions, and provisioning as it goes. */
export function Tenants() {
  const [page, setPage] = useState(1)
  const tenants = useLoad(
    () =>
      call<Tenant[]>('/api/v1/platform/tenants', {
        query: { page, per_page: 50, sort: '-created_at' },
      }),
    [page]
  )
  const action = useAction()
  const [draft, setDraft] = useState({ slug: '', name: '', admin_email: '' })
  const busy = tenants.data?.data.some((tenant) => tenant.status === 'provisioning')
  useEffect(() => {
    if (!busy) return
    const timer = setInterval(() => tenants.reload(), 2000)
    return () => clearInterval(timer)
  }, [busy])

  const transition = (tenant: Tenant, verb: string) => {
    // Archiving takes a school offline for good (until restored): ask once more.
    if (verb === 'archive' && !confirm(`Archive ${tenant.slug}? Its users lose access.`)) return
    return action.run(async () => {
      await api(`/api/v1/platform/tenants/${tenant.slug}/${verb}`, { method: 'POST', body: {} })
      await tenants.reload()
      return `${tenant.slug}: ${verb} done.`
    })
  }
  const create = (event: Event) => {
    event.preventDefault()
    action.run(async () => {
      await api('/api/v1/platform/tenants', { method: 'POST', body: draft })
      setDraft({ slug: '', name: '', admin_email: '' })
      await tenants.reload()
      return `${draft.slug} is being provisioned.`
    })
  }
  const pagination = tenants.data?.pagination
  return (
    <section aria-labelledby="tenants-title">
      <h1 id="tenants-title">Tenants</h1>
      <details>
        <summary role="button" class="secondary">
          New tenant
        </summary>
        <form class="filters" onSubmit={create}>
          {(['slug', 'name', 'admin_email'] as const).map((field) => (
            <label key={field}>
              {field.replace('_', ' ')}
              <input
                required
                type={field === 'admin_email' ? 'email' : 'text'}
                value={draft[field]}
                onInput={(event) => setDraft({ ...draft, [field]: event.currentTarget.value })}
              />
            </label>
          ))}
          <button type="submit" disabled={action.pending}>
            Provision
          </button>
        </form>
      </details>
      <Problem error={action.error} />
      <Notice text={action.note} />
      {tenants.error ? <Problem error={tenants.error} /> : null}
      {!tenants.data ? (
        <Loading what="tenants" />
      ) : (
        <div class="overflow-auto">
          <table>
            <thead>
              <tr>
                <th scope="col">Tenant</th>
                <th scope="col">Status</th>
                <th scope="col">Plan</th>
                <th scope="col">Created</th>
                <th scope="col">Actions</th>
              </tr>
            </thead>
            <tbody>
              {tenants.data.data.map((tenant) => (
                <tr key={tenant.id} data-slug={tenant.slug}>
                  <td>
                    <strong>{tenant.slug}</strong>
                    <br />
                    <small>{tenant.name}</small>
                  </td>
                  <td>
                    <span class={`badge ${tenant.status}`}>{tenant.status}</span>
                    <Progress tenant={tenant} />
                  </td>
                  <td>{tenant.plan ?? '—'}</td>
                  <td>{when(tenant.created_at)}</td>
                  <td class="actions">
                    {(ACTIONS[tenant.status] ?? []).map((verb) => (
                      <button
                        key={verb}
                        class="secondary"
                        disabled={action.pending}
                        onClick={() => transition(tenant, verb)}
                      >
                        {verb} {tenant.slug}
                      </button>
                    ))}
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
