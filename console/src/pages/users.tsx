import { useState } from 'preact/hooks'
import { api, call } from '../api.js'
import { Loading, Notice, Pager, Problem, useAction, useLoad } from '../ui.js'

type User = {
  id: string
  email: string
  name: string | null
  status: string
  roles: string[]
  mfa_enabled?: boolean
}
type Role = { name: string; builtin: boolean }

function RolePicker(props: {
  roles: Role[]
  chosen: string[]
  onChange: (roles: string[]) => void
  legend: string
}) {
  return (
    <fieldset>
      <legend>{props.legend}</legend>
      {props.roles.map((role) => (
        <label key={role.name}>
          <input
            type="checkbox"
            name="roles"
            value={role.name}
            checked={props.chosen.includes(role.name)}
            onChange={(event) =>
              props.onChange(
                event.currentTarget.checked
                  ? [...props.chosen, role.name]
                  : props.chosen.filter((name) => name !== role.name)
              )
            }
          />
          {role.name}
        </label>
      ))}
    </fieldset>
  )
}

function UserRow(props: { user: User; roles: Role[]; onChanged: () => Promise<void> }) {
  const { user } = props
  const [chosen, setChosen] = useState(user.roles)
  const action = useAction()
  const act = (run: () => Promise<unknown>, note: string) =>
    action.run(async () => {
      await run()
      await props.onChanged()
      return note
    })
  return (
    <tr data-email={user.email}>
      <td>
        {user.email}
        <br />
        <small>{user.name}</small>
      </td>
      <td>
        <span class={`badge ${user.status}`}>{user.status}</span>
      </td>
      <td>
        <details>
          <summary>{user.roles.join(', ') || 'no role'}</summary>
          <RolePicker
            legend={`Roles of ${user.email}`}
            roles={props.roles}
            chosen={chosen}
            onChange={setChosen}
          />
          <button
            disabled={action.pending}
            onClick={() =>
              act(
                () =>
                  api(`/api/v1/admin/users/${user.id}/roles`, {
                    method: 'PUT',
                    body: { roles: chosen },
                  }),
                'Roles saved.'
              )
            }
          >
            Save roles
          </button>
        </details>
      </td>
      <td>
        {user.status === 'disabled' ? (
          <button
            class="secondary"
            disabled={action.pending}
            onClick={() =>
              act(
                () => api(`/api/v1/admin/users/${user.id}/enable`, { method: 'POST' }),
                'Enabled.'
              )
            }
          >
            Enable {user.email}
          </button>
        ) : (
          <button
            class="secondary"
            disabled={action.pending}
            onClick={() =>
              act(
                () => api(`/api/v1/admin/users/${user.id}/disable`, { method: 'POST' }),
                'Disabled.'
              )
            }
          >
            Disable {user.email}
          </button>
        )}
        <Problem error={action.error} />
        <Notice text={action.note} />
      </td>
    </tr>
  )
}

/** The school's users: invite, give roles, disable. */
export function Users() {
  const [page, setPage] = useState(1)
  const [q, setQ] = useState('')
  const users = useLoad(
    () => call<User[]>('/api/v1/admin/users', { query: { page, per_page: 25, q } }),
    [page, q]
  )
  const roles = useLoad(() => api<Role[]>('/api/v1/admin/roles'))
  const [email, setEmail] = useState('')
  const [name, setName] = useState('')
  const [chosen, setChosen] = useState<string[]>([])
  const invite = useAction()

  const submit = (event: Event) => {
    event.preventDefault()
    invite.run(async () => {
      const created = await api<{ user?: User; invite_token?: string }>('/api/v1/admin/users', {
        method: 'POST',
        body: { email, roles: chosen, ...(name ? { name } : {}) },
      })
      setEmail('')
      setName('')
      setChosen([])
      await users.reload()
      return created.invite_token
        ? `Invited ${email}. Invitation token (shown once): ${created.invite_token}`
        : `Invited ${email}.`
    })
  }

  const pagination = users.data?.pagination
  return (
    <section aria-labelledby="users-title">
      <h1 id="users-title">Users</h1>
      <details>
        <summary role="button" class="secondary">
          Invite a user
        </summary>
        <form onSubmit={submit}>
          <label>
            Email
            <input
              type="email"
              required
              value={email}
              onInput={(event) => setEmail(event.currentTarget.value)}
            />
          </label>
          <label>
            Name (optional)
            <input value={name} onInput={(event) => setName(event.currentTarget.value)} />
          </label>
          {roles.data && (
            <RolePicker legend="Roles" roles={roles.data} chosen={chosen} onChange={setChosen} />
          )}
          <Problem error={invite.error} />
          <button type="submit" aria-busy={invite.pending} disabled={invite.pending}>
            Send invitation
          </button>
        </form>
      </details>
      <Notice text={invite.note} />
      <label>
        Search users
        <input
          type="search"
          value={q}
          onChange={(event) => {
            setPage(1)
            setQ(event.currentTarget.value)
          }}
        />
      </label>
      {users.error ? <Problem error={users.error} /> : null}
      {!users.data ? (
        <Loading what="users" />
      ) : (
        <div class="overflow-auto">
          <table>
            <thead>
              <tr>
                <th scope="col">User</th>
                <th scope="col">Status</th>
                <th scope="col">Roles</th>
                <th scope="col">Actions</th>
              </tr>
            </thead>
            <tbody>
              {users.data.data.map((user) => (
                <UserRow
                  key={`${user.id}-${user.status}-${user.roles.join()}`}
                  user={user}
                  roles={roles.data ?? []}
                  onChanged={users.reload}
                />
              ))}
            </tbody>
          </table>
        </div>
      )}
      <Pager page={page} last={pagination?.last_page ?? 1} onPage={setPage} />
    </section>
  )
}
