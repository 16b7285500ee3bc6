import { useState } from 'preact/hooks'
import { api } from '../api.js'
import { Loading, Notice, Problem, useAction, useLoad } from '../ui.js'

type Role = {
  name: string
  builtin: boolean
  description: string | null
  permissions: string[]
  users: number
}
type PermissionGroup = {
  plugin: string
  version?: string
  permissions: Array<{ name: string; description?: string }>
}

/** Permissions to choose from, one fieldset per plugin (GET /admin/permissions groups them). */
function PermissionPicker(props: {
  groups: PermissionGroup[]
  chosen: string[]
  onChange: (names: string[]) => void
}) {
  const toggle = (name: string, on: boolean) =>
    props.onChange(on ? [...props.chosen, name] : props.chosen.filter((held) => held !== name))
  return (
    <div class="permissions">
      {props.groups.map((group) => (
        <fieldset key={group.plugin} data-plugin={group.plugin}>
          <legend>
            {group.plugin} {group.version ? <small>{group.version}</small> : null}
          </legend>
          {group.permissions.map((permission) => (
            <label key={permission.name} title={permission.description}>
              <input
                type="checkbox"
                value={permission.name}
                checked={props.chosen.includes(permission.name)}
                onChange={(event) => toggle(permission.name, event.currentTarget.checked)}
              />
              <code>{permission.name}</code>{' '}
              {permission.description ? <small>{permission.description}</small> : null}
            </label>
          ))}
        </fieldset>
      ))}
    </div>
  )
}

function RoleEditor(props: {
  role: Role
  groups: PermissionGroup[]
  onChanged: () => Promise<void>
}) {
  const [chosen, setChosen] = useState(props.role.permissions)
  const action = useAction()
  const fixed = props.role.name === 'TenantAdmin'
  return (
    <details data-role={props.role.name}>
      <summary>
        <strong>{props.role.name}</strong> {props.role.builtin ? '(built in)' : '(custom)'} ·{' '}
        {props.role.users} user(s) · {props.role.permissions.length} grant(s)
      </summary>
      {props.role.description && <p>{props.role.description}</p>}
      {fixed ? (
        <p>TenantAdmin holds every permission and cannot be changed.</p>
      ) : (
        <>
          <PermissionPicker groups={props.groups} chosen={chosen} onChange={setChosen} />
          <div class="actions">
            <button
              disabled={action.pending}
              onClick={() =>
                action.run(async () => {
                  await api(`/api/v1/admin/roles/${encodeURIComponent(props.role.name)}`, {
                    method: 'PATCH',
                    body: { permissions: chosen },
                  })
                  await props.onChanged()
                  return 'Saved.'
                })
              }
            >
              Save {props.role.name}
            </button>
            {!props.role.builtin && (
              <button
                class="secondary"
                disabled={action.pending}
                onClick={() =>
                  action.run(async () => {
                    await api(`/api/v1/admin/roles/${encodeURIComponent(props.role.name)}`, {
                      method: 'DELETE',
                    })
                    await props.onChanged()
                  })
                }
              >
                Delete {props.role.name}
              </button>
            )}
          </div>
        </>
      )}
      <Problem error={action.error} />
      <Notice text={action.note} />
    </details>
  )
}

/** Built-in and custom roles, and a custom role made from a permission picker grouped by plugin. */
export function Roles() {
  const roles = useLoad(() => api<Role[]>('/api/v1/admin/roles'))
  const groups = useLoad(() => api<PermissionGroup[]>('/api/v1/admin/permissions'))
  const [name, setName] = useState('')
  const [description, setDescription] = useState('')
  const [chosen, setChosen] = useState<string[]>([])
  const create = useAction()

  const submit = (event: Event) => {
    event.preventDefault()
    create.run(async () => {
      await api('/api/v1/admin/roles', {
        method: 'POST',
        body: { name, permissions: chosen, ...(description ? { description } : {}) },
      })
      setName('')
      setDescription('')
      setChosen([])
      await roles.reload()
      return `Role ${name} created.`
    })
  }

  if (!roles.data || !groups.data)
    return roles.error || groups.error ? (
      <Problem error={roles.error ?? groups.error} />
    ) : (
      <Loading what="roles" />
    )
  return (
    <section aria-labelledby="roles-title">
      <h1 id="roles-title">Roles</h1>
      {roles.data.map((role) => (
        <RoleEditor
          key={`${role.name}-${role.permissions.join()}`}
          role={role}
          groups={groups.data!}
          onChanged={roles.reload}
        />
      ))}
      <h2>New custom role</h2>
      <form onSubmit={submit}>
        <label>
          Name
          <input required value={name} onInput={(event) => setName(event.currentTarget.value)} />
        </label>
        <label>
          Description (optional)
          <input
            value={description}
            onInput={(event) => setDescription(event.currentTarget.value)}
          />
        </label>
        <PermissionPicker groups={groups.data} chosen={chosen} onChange={setChosen} />
        <Problem error={create.error} />
        <button type="submit" disabled={create.pending} aria-busy={create.pending}>
          Create role
        </button>
      </form>
      <Notice text={create.note} />
    </section>
  )
}
