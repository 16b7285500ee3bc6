import { useState } from 'preact/hooks'
import { signIn, signInMfa } from '../kit/api.js'
import { useI18n } from '../kit/i18n.js'
import { Problem, useAction } from '../kit/ui.js'

const LAST_SCHOOL = 'oryne.app.school'

/**
 * Sign-in with the school's accounts: school (the tenant's slug, remembered on
 * this device; `?school=` prefills it), email and password, then the
 * authenticator or a recovery code when the account has two-step verification.
 */
export function SignIn(props: { expired?: boolean }) {
  const { t } = useI18n()
  const fromQuery = new URLSearchParams(location.search).get('school')
  const [school, setSchool] = useState(fromQuery ?? localStorage.getItem(LAST_SCHOOL) ?? '')
  const [email, setEmail] = useState('')
  const [password, setPassword] = useState('')
  const [challenge, setChallenge] = useState<string | null>(null)
  const [code, setCode] = useState('')
  const action = useAction()

  const submit = (event: Event) => {
    event.preventDefault()
    action.run(async () => {
      const tenant = school.trim().toLowerCase()
      if (challenge) return signInMfa(tenant, email.trim(), challenge, code.trim())
      const step = await signIn(tenant, email.trim(), password)
      localStorage.setItem(LAST_SCHOOL, tenant)
      if (step) setChallenge(step.mfa_token)
    })
  }

  return (
    <main id="main" class="sign-in">
      <article>
        <h1>{challenge ? t('signIn.mfaTitle') : t('signIn.title')}</h1>
        {props.expired && !challenge ? <p role="status">{t('signIn.expired')}</p> : null}
        <form onSubmit={submit}>
          {challenge ? (
            <>
              <p id="mfa-hint">{t('signIn.mfaHint')}</p>
              <label>
                {t('signIn.mfaCode')}
                <input
                  name="code"
                  value={code}
                  required
                  autoComplete="one-time-code"
                  inputMode="text"
                  aria-describedby="mfa-hint"
                  autoFocus
                  onInput={(event) => setCode(event.currentTarget.value)}
                />
              </label>
            </>
          ) : (
            <>
              <label>
                {t('signIn.school')}
                <input
                  name="school"
                  value={school}
                  required
                  autoCapitalize="none"
                  autoComplete="organization"
                  aria-describedby="school-hint"
                  onInput={(event) => setSchool(event.currentTarget.value)}
                />
                <small id="school-hint">{t('signIn.schoolHint')}</small>
              </label>
              <label>
                {t('signIn.email')}
                <input
                  name="email"
                  type="email"
                  value={email}
                  required
                  autoComplete="username"
                  onInput={(event) => setEmail(event.currentTarget.value)}
                />
              </label>
              <label>
                {t('signIn.password')}
                <input
                  name="password"
                  type="password"
                  value={password}
                  required
                  autoComplete="current-password"
                  onInput={(event) => setPassword(event.currentTarget.value)}
                />
              </label>
            </>
          )}
          <Problem error={action.error} />
          <button type="submit" aria-busy={action.busy} disabled={action.busy}>
            {action.busy
              ? t('signIn.working')
              : challenge
                ? t('signIn.verify')
                : t('signIn.submit')}
          </button>
        </form>
      </article>
    </main>
  )
}
