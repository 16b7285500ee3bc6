import { useState } from 'preact/hooks'
import { api, setSession } from '../api.js'
import { Problem, useAction } from '../ui.js'

type Tokens = { access_token: string; refresh_token: string }
type LoginAnswer = Tokens | { mfa_required: true; mfa_token: string }

/** The tenant named by the address (a subdomain), remembered from last time otherwise. */
function defaultTenant() {
  return (
    new URLSearchParams(location.search).get('tenant') ??
    localStorage.getItem('oryne.console.tenant') ??
    ''
  )
}

/** Sign-in for a school's admins or for platform admins, with the MFA step when enrolled. */
export function SignIn() {
  const [kind, setKind] = useState<'tenant' | 'platform'>('tenant')
  const [tenant, setTenant] = useState(defaultTenant)
  const [email, setEmail] = useState('')
  const [password, setPassword] = useState('')
  const [challenge, setChallenge] = useState<string | null>(null)
  const [code, setCode] = useState('')
  const action = useAction()
  const prefix = kind === 'platform' ? '/api/v1/platform/auth' : '/api/v1/auth'
  const scope = kind === 'platform' ? null : tenant.trim().toLowerCase()

  const finish = (tokens: Tokens) => {
    if (scope) localStorage.setItem('oryne.console.tenant', scope)
    setSession({ kind, tenant: scope, email, ...tokens })
  }

  const submit = (event: Event) => {
    event.preventDefault()
    action.run(async () => {
      if (challenge) {
        finish(
          await api<Tokens>(`${prefix}/login/mfa`, {
            method: 'POST',
            body: { mfa_token: challenge, code: code.trim() },
            tenant: scope,
            auth: false,
          })
        )
        return
      }
      const answer = await api<LoginAnswer>(`${prefix}/login`, {
        method: 'POST',
        body: { email, password },
        tenant: scope,
        auth: false,
      })
      if ('mfa_required' in answer) setChallenge(answer.mfa_token)
      else finish(answer)
    })
  }

  return (
    <main class="container sign-in">
      <h1>Oryne admin console</h1>
      <form onSubmit={submit} aria-describedby="sign-in-problem">
        {challenge ? (
          <>
            <p>Two-factor authentication is on for this account.</p>
            <label>
              Code from your authenticator app, or a recovery code
              <input
                name="code"
                autocomplete="one-time-code"
                inputMode="text"
                required
                value={code}
                onInput={(event) => setCode(event.currentTarget.value)}
              />
            </label>
          </>
        ) : (
          <>
            <fieldset>
              <legend>Sign in as</legend>
              <label>
                <input
                  type="radio"
                  name="kind"
                  checked={kind === 'tenant'}
                  onChange={() => setKind('tenant')}
                />
                School administrator
              </label>
              <label>
                <input
                  type="radio"
                  name="kind"
                  checked={kind === 'platform'}
                  onChange={() => setKind('platform')}
                />
                Platform administrator
              </label>
            </fieldset>
            {kind === 'tenant' && (
              <label>
                School (tenant slug)
                <input
                  name="tenant"
                  required
                  autocomplete="organization"
                  value={tenant}
                  onInput={(event) => setTenant(event.currentTarget.value)}
                />
              </label>
            )}
            <label>
              Email
              <input
                name="email"
                type="email"
                required
                autocomplete="username"
                value={email}
                onInput={(event) => setEmail(event.currentTarget.value)}
              />
            </label>
            <label>
              Password
              <input
                name="password"
                type="password"
                required
                autocomplete="current-password"
                value={password}
                onInput={(event) => setPassword(event.currentTarget.value)}
              />
            </label>
          </>
        )}
        <div id="sign-in-problem">
          <Problem error={action.error} />
        </div>
        <button type="submit" aria-busy={action.pending} disabled={action.pending}>
          {challenge ? 'Verify' : 'Sign in'}
        </button>
      </form>
    </main>
  )
}
