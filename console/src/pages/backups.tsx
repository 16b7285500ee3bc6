import { api, download } from '../api.js'
import { Loading, Notice, Problem, useAction, useLoad, when } from '../ui.js'

type Backup = {
  id: string
  reason: string
  size_bytes: number
  encrypted: boolean
  with_files: boolean
  summary: { tables: number; rows: number; files: number }
  created_at: string
  present: boolean
}

const size = (bytes: number) =>
  bytes > 1e6 ? `${(bytes / 1e6).toFixed(1)} MB` : `${Math.max(1, Math.round(bytes / 1e3))} kB`

/** The school's backups: download an archive, ask the platform to restore one. */
export function Backups() {
  const backups = useLoad(() => api<Backup[]>('/api/v1/admin/backups'))
  const action = useAction()
  if (!backups.data)
    return backups.error ? <Problem error={backups.error} /> : <Loading what="backups" />
  return (
    <section aria-labelledby="backups-title">
      <h1 id="backups-title">Backups</h1>
      <p>Restoring replaces the school's data: a platform admin carries out the request.</p>
      <Problem error={action.error} />
      <Notice text={action.note} />
      {backups.data.length === 0 ? (
        <p>No backup yet.</p>
      ) : (
        <table>
          <thead>
            <tr>
              <th scope="col">Taken</th>
              <th scope="col">Why</th>
              <th scope="col">Size</th>
              <th scope="col">Contents</th>
              <th scope="col">Actions</th>
            </tr>
          </thead>
          <tbody>
            {backups.data.map((backup) => (
              <tr key={backup.id}>
                <td>{when(backup.created_at)}</td>
                <td>{backup.reason}</td>
                <td>{size(backup.size_bytes)}</td>
                <td>
                  {backup.summary.tables} tables, {backup.summary.rows} rows
                  {backup.with_files ? `, ${backup.summary.files} files` : ''}
                </td>
                <td class="actions">
                  <button
                    class="secondary"
                    disabled={!backup.present || action.pending}
                    onClick={() =>
                      action.run(() =>
                        download(
                          `/api/v1/admin/backups/${backup.id}/download`,
                          `backup-${backup.id}.tar`
                        )
                      )
                    }
                  >
                    Download
                  </button>
                  <button
                    class="outline"
                    disabled={action.pending}
                    onClick={() =>
                      action.run(async () => {
                        await api(`/api/v1/admin/backups/${backup.id}/restore-request`, {
                          method: 'POST',
                          body: {},
                        })
                        return 'Restore requested: the platform admins have it in the school history.'
                      })
                    }
                  >
                    Request restore
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  )
}
