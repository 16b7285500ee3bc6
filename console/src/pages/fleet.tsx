import { api } from '../api.js'
import { Loading, Problem, useLoad, when } from '../ui.js'

type FleetStatus = {
  tenants: number
  up_to_date: number
  to_check: number
  failed: Array<{ tenant: string; error: string; failed_at: string }>
  last_run: { started_at?: string; finished_at?: string; [key: string]: unknown } | null
}

/** The fleet's migration state: tenants at their target, to check, failed in the last run. */
export function Fleet() {
  const status = useLoad(() => api<FleetStatus>('/api/v1/platform/fleet'))
  if (!status.data)
    return status.error ? <Problem error={status.error} /> : <Loading what="fleet status" />
  const fleet = status.data
  return (
    <section aria-labelledby="fleet-title">
      <h1 id="fleet-title">Fleet migrations</h1>
      <label>
        {fleet.up_to_date} of {fleet.tenants} tenants up to date
        <meter min={0} max={Math.max(1, fleet.tenants)} value={fleet.up_to_date} />
      </label>
      <p>
        To check: {fleet.to_check}. Migrate with <code>oryne migrate</code>.
      </p>
      {fleet.last_run && (
        <p>Last run: {when(fleet.last_run.finished_at ?? fleet.last_run.started_at)}</p>
      )}
      <h2>Failed</h2>
      {fleet.failed.length === 0 ? (
        <p>None.</p>
      ) : (
        <ul>
          {fleet.failed.map((failure) => (
            <li key={failure.tenant}>
              <strong>{failure.tenant}</strong> ({when(failure.failed_at)}): {failure.error}
            </li>
          ))}
        </ul>
      )}
    </section>
  )
}
