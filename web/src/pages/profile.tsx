import { useState } from 'preact/hooks'
import { api, download, session, setSession } from '../kit/api.js'
import { useApp } from '../kit/context.js'
import { chooseLocale, chosenLocale, LANGUAGES, useI18n } from '../kit/i18n.js'
import { Notice, Page, Problem, useAction, useLoad } from '../kit/ui.js'

/*
 * The signed-in user's own page: who they are, the language of the app on this
 * device, their password, two-step verification and a copy of their personal
 * data (GET /api/v1/auth/me/export).
 */

function Language() {
  const app = useApp()
  const { t } = useI18n()
  const [value, setValue] = useState(chosenLocale() ?? '')
  const change = async (next: string) => {
    setValue(next)
    chooseLocale(next || null)
    // The app's I18n is made from the context: loading it again applies the choice.
    await app.reload()
  }
  return (
    <section aria-labelledby="profile-language">
      <h2 id="profile-language">{t('profile.language')}</h2>
      <label>
        {t('profile.languageLabel')}
        <select value={value} onChange={(event) => change(event.currentTarget.value)}>
          <option value="">{t('profile.languageSchool')}</option>
          {Object.entries(LANGUAGES).map(([code, language]) => (
            <option key={code} value={code} lang={code}>
              {language.name}
            </option>
          ))}
        </select>
      </label>
    </section>
  )
}

function Password() {
  const { t } = useI18n()
  const action = useAction()
  const [done, setDone] = useState('')
  const submit = (event: Event) => {
    event.preventDefault()
    const form = event.currentTarget as HTMLFormElement
    const fields = new FormData(form)
    setDone('')
    action.run(async () => {
      const pair = await api<{ access_token: string; refresh_token: string }>(
        '/api/v1/auth/password',
        {
          method: 'POST',
          body: {
            current_password: fields.get('current'),
            new_password: fields.get('next'),
          },
        }
      )
      // Every other session ended; this one continues with the pair the change answered.
      const held = session()
      if (held) setSession({ ...held, ...pair })
      form.reset()
      setDone(t('profile.passwordChanged'))
    })
  }
  return (
    <section aria-labelledby="profile-password">
      <h2 id="profile-password">{t('profile.password')}</h2>
      <form onSubmit={submit}>
        <label>
          {t('profile.currentPassword')}
          <input name="current" type="password" autocomplete="current-password" required />
        </label>
        <label>
          {t('profile.newPassword')}
          <input name="next" type="password" autocomplete="new-password" required minLength={8} />
        </label>
        <button type="submit" disabled={action.busy}>
          {t('profile.changePassword')}
        </button>
      </form>
      <Problem error={action.error} />
      <Notice text={done} />
    </section>
  )
}

type MfaStatus = { enabled: boolean; enabled_at: string | null; recovery_codes_left: number }

/** Two-step verification: enrol (QR code and secret), confirm with a first code, or turn off. */
function TwoStep() {
  const { t, dateTime } = useI18n()
  const status = useLoad(() => api<MfaStatus>('/api/v1/auth/mfa'))
  const action = useAction()
  const [enrolment, setEnrolment] = useState<{ secret: string; qr: string } | null>(null)
  const [codes, setCodes] = useState<string[] | null>(null)
  const [done, setDone] = useState('')

  const enrol = () =>
    action.run(async () => {
      setCodes(null)
      const made = await api<{ secret: string; otpauth_url: string }>('/api/v1/auth/mfa/enroll', {
        method: 'POST',
      })
      // The QR encoder is loaded only here, not with the app's first page.
      const { default: encodeQR } = await import('qr')
      setEnrolment({ secret: made.secret, qr: encodeQR(made.otpauth_url, 'svg') })
    })
  const confirm = (event: Event) => {
    event.preventDefault()
    const code = new FormData(event.currentTarget as HTMLFormElement).get('code')
    action.run(async () => {
      const confirmed = await api<{ recovery_codes: string[] }>('/api/v1/auth/mfa/confirm', {
        method: 'POST',
        body: { code },
      })
      setEnrolment(null)
      setCodes(confirmed.recovery_codes)
      setDone(t('profile.mfaOn'))
      await status.reload()
    })
  }
  const disable = (event: Event) => {
    event.preventDefault()
    const code = new FormData(event.currentTarget as HTMLFormElement).get('code')
    action.run(async () => {
      await api('/api/v1/auth/mfa/disable', { method: 'POST', body: { code } })
      setCodes(null)
      setDone(t('profile.mfaOff'))
      await status.reload()
    })
  }

  return (
    <section aria-labelledby="profile-mfa">
      <h2 id="profile-mfa">{t('profile.mfa')}</h2>
      <Problem error={status.error} />
      {status.data ? (
        <p>
          {status.data.enabled
            ? t('profile.mfaEnabled', {
                since: dateTime(status.data.enabled_at),
                left: status.data.recovery_codes_left,
              })
            : t('profile.mfaDisabled')}
        </p>
      ) : null}
      {codes ? (
        <div class="recovery-codes">
          <p>{t('profile.recoveryCodes')}</p>
          <ul aria-label={t('profile.recoveryCodesList')}>
            {codes.map((code) => (
              <li key={code}>
                <code>{code}</code>
              </li>
            ))}
          </ul>
        </div>
      ) : null}
      {status.data && !status.data.enabled && !enrolment ? (
        <button type="button" disabled={action.busy} onClick={enrol}>
          {t('profile.mfaEnrol')}
        </button>
      ) : null}
      {enrolment ? (
        <form onSubmit={confirm}>
          <p>{t('profile.mfaScan')}</p>
          <figure class="qr">
            <img
              src={`data:image/svg+xml;charset=utf-8,${encodeURIComponent(enrolment.qr)}`}
              alt={t('profile.mfaQr')}
              width={200}
              height={200}
            />
          </figure>
          <p>
            {t('profile.mfaSecret')} <code data-secret>{enrolment.secret}</code>
          </p>
          <label>
            {t('profile.mfaCode')}
            <input
              name="code"
              inputMode="numeric"
              autocomplete="one-time-code"
              required
              pattern="[0-9]{6}"
            />
          </label>
          <button type="submit" disabled={action.busy}>
            {t('profile.mfaConfirm')}
          </button>
        </form>
      ) : null}
      {status.data?.enabled ? (
        <form onSubmit={disable}>
          <label>
            {t('profile.mfaDisableCode')}
            <input name="code" autocomplete="one-time-code" required />
          </label>
          <button type="submit" class="secondary" disabled={action.busy}>
            {t('profile.mfaDisable')}
          </button>
        </form>
      ) : null}
      <Problem error={action.error} />
      <Notice text={done} />
    </section>
  )
}

function PersonalData() {
  const { t } = useI18n()
  const action = useAction()
  const [done, setDone] = useState('')
  const request = () =>
    action.run(async () => {
      await download('/api/v1/auth/me/export', 'my-personal-data.json')
      setDone(t('profile.exportDone'))
    })
  return (
    <section aria-labelledby="profile-data">
      <h2 id="profile-data">{t('profile.data')}</h2>
      <p class="muted">{t('profile.dataHint')}</p>
      <button type="button" class="secondary" disabled={action.busy} onClick={request}>
        {t('profile.export')}
      </button>
      <Problem error={action.error} />
      <Notice text={done} />
    </section>
  )
}

export function Profile() {
  const app = useApp()
  const { t } = useI18n()
  return (
    <Page title={t('nav.profile')}>
      <dl class="profile-facts">
        <dt>{t('profile.name')}</dt>
        <dd>{app.user.name || '—'}</dd>
        <dt>{t('profile.email')}</dt>
        <dd>{app.user.email}</dd>
        <dt>{t('profile.roles')}</dt>
        <dd>{app.user.roles.map((role) => t(`role.${role}`)).join(', ')}</dd>
      </dl>
      <Language />
      <Password />
      <TwoStep />
      <PersonalData />
    </Page>
  )
}
