import { useEffect, useMemo, useRef, useState } from 'preact/hooks'
import { api } from '../../kit/api.js'
import { chosenLocale, I18n, I18nContext, useI18n } from '../../kit/i18n.js'
import { Loading, Problem, useAction, useLoad } from '../../kit/ui.js'
import { FieldControl, type FormValue } from '../../data/controls.js'
import { humanize, type FieldView } from '../../data/resources.js'

/*
 * /app/forms/:slug: a public form (docs/collections.md, "Public forms"),
 * opened by anyone, signed in or not. The school is the address's (its
 * domain), else `?school=` of the shared link. The server's answer carries a
 * signed "opened at" token sent back with the answers; the honeypot field
 * is off-screen, out of the tab order and hidden from assistive technology,
 * so only a robot fills it.
 */

type PublicField = {
  name: string
  label?: string | null
  help?: string | null
  type: FieldView['type']
  required?: boolean
  values?: string[] | null
  min?: number | null
  max?: number | null
  default?: string | number | boolean | null
  show_if?: { field: string; equals?: unknown; in?: unknown[] } | null
}

type PublicForm = {
  slug: string
  title: string
  description?: string | null
  sections: Array<{ title?: string | null; description?: string | null; fields: PublicField[] }>
  token: string
  success_message?: string | null
  settings?: { success_message?: string | null }
  locale?: string
  time_zone?: string
  tenant?: { locale?: string; time_zone?: string; name?: string }
}

/** The school of a shared link (`?school=`); on the school's own domain, none is needed. */
const school = () => new URLSearchParams(location.search).get('school') ?? undefined

const HONEYPOT = 'website'

export function PublicFormApp(props: { slug: string }) {
  const form = useLoad(
    () =>
      api<PublicForm>(`/api/v1/public/forms/${encodeURIComponent(props.slug)}`, {
        auth: false,
        tenant: school(),
      }),
    [props.slug]
  )
  const i18n = useMemo(
    () =>
      new I18n({
        locale:
          chosenLocale() ??
          form.data?.tenant?.locale ??
          form.data?.locale ??
          navigator.language ??
          'en',
        timeZone: form.data?.tenant?.time_zone ?? form.data?.time_zone ?? 'UTC',
        currency: 'USD',
      }),
    [form.data]
  )
  useEffect(() => {
    document.documentElement.lang = i18n.locale
    document.documentElement.dir = i18n.dir
  }, [i18n])
  return (
    <I18nContext.Provider value={i18n}>
      <main id="main" class="public-form">
        {form.loading && !form.data ? (
          <Loading what={props.slug} />
        ) : form.data ? (
          <FillIn
            form={form.data}
            honeypot
            send={(values, trap) =>
              api(`/api/v1/public/forms/${encodeURIComponent(props.slug)}/submissions`, {
                method: 'POST',
                auth: false,
                tenant: school(),
                body: { values, token: form.data!.token, [HONEYPOT]: trap },
              })
            }
          />
        ) : (
          <article>
            <h1>{i18n.t('col.public.unavailable')}</h1>
            <Problem error={form.error} />
          </article>
        )}
      </main>
    </I18nContext.Provider>
  )
}

/** Whether a field shows, given the answers so far (its condition on an earlier field). */
function visible(field: PublicField, values: Record<string, FormValue>) {
  const condition = field.show_if
  if (!condition?.field) return true
  const value = values[condition.field]
  const same = (expected: unknown) =>
    typeof expected === 'boolean' ? value === expected : String(value ?? '') === String(expected)
  if (Array.isArray(condition.in)) return condition.in.some(same)
  return same(condition.equals)
}

function asFieldView(field: PublicField): FieldView {
  return {
    name: field.name,
    // A public visitor cannot search the users or records a reference points at: an id is typed.
    type: field.type === 'reference' ? 'string' : field.type,
    required: field.required === true,
    read_only: false,
    unique: false,
    builtin: false,
    description: field.help ?? null,
    default: null,
    min: field.type === 'string' || field.type === 'text' ? null : (field.min ?? null),
    max: field.type === 'string' || field.type === 'text' ? null : (field.max ?? null),
    min_length: null,
    max_length: field.type === 'string' ? 255 : null,
    pattern: null,
    values: field.values ?? null,
    reference: null,
    sensitive: null,
    filters: [],
    sortable: false,
  }
}

function answerOf(field: PublicField, value: FormValue, i18n: I18n): unknown {
  if (field.type === 'boolean') return value === true
  const raw = String(value ?? '').trim()
  if (raw === '') return null
  if (field.type === 'integer' || field.type === 'decimal') return Number(raw)
  if (field.type === 'datetime') return i18n.instant(raw)
  return raw
}

/**
 * A form to fill in: its sections, each field shown while its condition holds
 * (hidden ones are not sent), then its message. The public page adds the
 * honeypot; a signed-in page sends without it.
 */
export function FillIn(props: {
  form: Omit<PublicForm, 'token'>
  honeypot?: boolean
  send: (values: Record<string, unknown>, trap: string) => Promise<unknown>
}) {
  const i18n = useI18n()
  const { t } = i18n
  const { form } = props
  const fields = form.sections.flatMap((section) => section.fields)
  const [values, setValues] = useState<Record<string, FormValue>>(() =>
    Object.fromEntries(
      fields.map((field) => [
        field.name,
        field.type === 'boolean' ? field.default === true : String(field.default ?? ''),
      ])
    )
  )
  const [trap, setTrap] = useState('')
  const [done, setDone] = useState(false)
  const sending = useAction()
  const heading = useRef<HTMLHeadingElement>(null)
  useEffect(() => {
    document.title = `${form.title} · ${t('app.name')}`
  }, [form.title])
  useEffect(() => {
    if (done) heading.current?.focus()
  }, [done])

  const submit = (event: Event) => {
    event.preventDefault()
    sending.run(async () => {
      const answers: Record<string, unknown> = {}
      for (const field of fields)
        if (visible(field, values)) answers[field.name] = answerOf(field, values[field.name], i18n)
      await props.send(answers, trap)
      setDone(true)
    })
  }

  if (done)
    return (
      <article>
        <h1 tabIndex={-1} ref={heading}>
          {form.title}
        </h1>
        <p role="status">
          {form.settings?.success_message || form.success_message || t('col.public.thanks')}
        </p>
      </article>
    )

  return (
    <article>
      {form.tenant?.name ? <p class="muted">{form.tenant.name}</p> : null}
      <h1>{form.title}</h1>
      {form.description ? <p>{form.description}</p> : null}
      <form onSubmit={submit} noValidate={false}>
        {form.sections.map((section, index) => {
          const shown = section.fields.filter((field) => visible(field, values))
          if (shown.length === 0) return null
          const body = shown.map((field) => {
            const id = `answer-${field.name}`
            const label = field.label || humanize(field.name)
            const view = asFieldView(field)
            const control = (
              <FieldControl
                field={view}
                id={id}
                label={label}
                value={values[field.name]}
                invalid={false}
                masked={false}
                describedBy={field.help ? `${id}-help` : undefined}
                onChange={(value) => setValues({ ...values, [field.name]: value })}
              />
            )
            return (
              <div key={field.name} class="public-field">
                {field.type === 'boolean' ? (
                  <label for={id}>
                    {control}
                    {label}
                  </label>
                ) : (
                  <>
                    <label for={id}>
                      {label}
                      {field.required ? <span aria-hidden="true"> *</span> : null}
                    </label>
                    {control}
                  </>
                )}
                {field.help ? <small id={`${id}-help`}>{field.help}</small> : null}
              </div>
            )
          })
          return section.title ? (
            <fieldset key={index}>
              <legend>{section.title}</legend>
              {section.description ? <p>{section.description}</p> : null}
              {body}
            </fieldset>
          ) : (
            <div key={index}>{body}</div>
          )
        })}
        {props.honeypot ? (
          <div class="col-hp" aria-hidden="true">
            <label for={HONEYPOT}>{t('col.public.honeypot')}</label>
            <input
              id={HONEYPOT}
              name={HONEYPOT}
              type="text"
              tabIndex={-1}
              autoComplete="off"
              value={trap}
              onInput={(event) => setTrap(event.currentTarget.value)}
            />
          </div>
        ) : null}
        <Problem error={sending.error} />
        <button type="submit" disabled={sending.busy} aria-busy={sending.busy}>
          {t('col.public.send')}
        </button>
      </form>
    </article>
  )
}
