import { useEffect, useRef, useState } from 'preact/hooks'
import { api, ApiError } from '../kit/api.js'
import { useI18n, type I18n } from '../kit/i18n.js'
import type { PageProps } from '../kit/plugins.js'
import { navigate } from '../kit/router.js'
import { Link, Loading, Page, Problem, useAction } from '../kit/ui.js'
import { FieldControl, type FormValue } from './controls.js'
import { useRecord } from './detail_page.js'
import { setFlash } from './flash.js'
import {
  enumLabel,
  fieldLabel,
  recordLabel,
  resourceTitle,
  valueOf,
  type DataRecord,
  type FieldView,
  type ResourceView,
} from './resources.js'
import { Unknown, useResourceView } from './view.js'

const MASK = '***'

/** /data/:plugin/:resource/new */
export function DataCreate(props: PageProps) {
  const state = useResourceView(props.params.plugin, props.params.resource)
  if (state.loading && !state.data) return <Loading what={props.params.resource} />
  if (state.error) return <Problem error={state.error} />
  if (!state.data) return <Unknown />
  return <RecordForm view={state.data} record={null} />
}

/** /data/:plugin/:resource/:id/edit */
export function DataEdit(props: PageProps) {
  const state = useResourceView(props.params.plugin, props.params.resource)
  const record = useRecord(state.data, props.params.id)
  if ((state.loading && !state.data) || (record.loading && !record.data))
    return <Loading what={props.params.resource} />
  if (state.error || record.error) return <Problem error={state.error ?? record.error} />
  if (!state.data) return <Unknown />
  return <RecordForm view={state.data} record={record.data ?? null} />
}

/** A field the user may write, and whether its value is hidden from them. */
const writable = (field: FieldView) => !field.read_only && !field.builtin
const isMasked = (field: FieldView) => Boolean(field.sensitive && !field.sensitive.visible)

/** The form's starting value of a field: the record's, else the declared default; datetimes on the tenant's clock. */
function initial(field: FieldView, record: DataRecord | null, i18n: I18n): FormValue {
  const value = record ? valueOf(record, field) : field.default
  if (field.type === 'boolean') return value === true
  if (value === null || value === undefined || value === MASK) return ''
  if (field.type === 'json') return JSON.stringify(value, null, 2)
  if (field.type === 'datetime') return i18n.wallClock(String(value))
  return String(value)
}

/** A form value as the API takes it; throws a message for the field when it cannot be read. */
function toBody(field: FieldView, value: FormValue, i18n: I18n): unknown {
  const { t } = i18n
  if (field.type === 'boolean') return value === true
  const raw = String(value).trim()
  if (raw === '') return null
  switch (field.type) {
    case 'integer':
    case 'decimal':
      return Number(raw)
    case 'datetime': {
      // Entered on the school's clock, whatever the device's zone.
      const instant = i18n.instant(raw)
      if (!instant) throw new Error(t('data.dateTime'))
      return instant
    }
    case 'json':
      try {
        return JSON.parse(raw)
      } catch {
        throw new Error(t('data.json'))
      }
    default:
      return raw
  }
}

type Detail = { field: string; message: string }

function detailsOf(error: unknown): Detail[] {
  return error instanceof ApiError && Array.isArray(error.details)
    ? (error.details as Detail[])
    : []
}

/**
 * The create and edit form of a resource: every field the user may write,
 * the tenant's custom fields in a fieldset of their own. An edit sends only
 * what changed, so a masked value the user never saw is never sent back.
 */
function RecordForm(props: { view: ResourceView; record: DataRecord | null }) {
  const i18n = useI18n()
  const { t } = i18n
  const { view, record } = props
  const base = `/data/${view.plugin}/${view.name}`
  const declared = view.fields.filter(writable)
  const custom = view.custom_fields.filter(writable)
  const all = [...declared, ...custom]
  const [values, setValues] = useState<Record<string, FormValue>>(() =>
    Object.fromEntries(all.map((field) => [field.name, initial(field, record, i18n)]))
  )
  const [changed, setChanged] = useState<Set<string>>(new Set())
  const [local, setLocal] = useState<Record<string, string>>({})
  const saving = useAction()
  const form = useRef<HTMLFormElement>(null)
  const errors: Record<string, string> = { ...local }
  for (const detail of detailsOf(saving.error)) errors[detail.field] ??= detail.message

  // After a refusal, the keyboard goes to the first field it names.
  useEffect(() => {
    const invalid = form.current?.querySelector<HTMLElement>('[aria-invalid="true"]')
    invalid?.focus()
  }, [saving.error, local])

  const title = record
    ? t('data.editTitle', { label: recordLabel(view, record) })
    : t('data.newTitle', { resource: resourceTitle(i18n, view) })

  const submit = async (event: Event) => {
    event.preventDefault()
    const body: Record<string, unknown> = {}
    const customBody: Record<string, unknown> = {}
    const problems: Record<string, string> = {}
    for (const field of all) {
      const value = values[field.name]
      // An edit sends what changed; a create sends what was filled in (or a box's state).
      if (record ? !changed.has(field.name) : value === '') continue
      if (isMasked(field) && value === '') continue
      try {
        const converted = toBody(field, value, i18n)
        if (!record && converted === null) continue
        if (field.name.startsWith('custom.')) customBody[field.name.slice(7)] = converted
        else body[field.name] = converted
      } catch (error) {
        problems[field.name] = (error as Error).message
      }
    }
    setLocal(problems)
    if (Object.keys(problems).length) return
    if (Object.keys(customBody).length) body.custom = customBody
    const saved = await saving.run(() =>
      record
        ? api<DataRecord>(`${view.path}/${encodeURIComponent(record.id)}`, {
            method: 'PATCH',
            body,
          })
        : api<DataRecord>(view.path, { method: 'POST', body })
    )
    if (!saved) return
    setFlash(t(record ? 'data.updated' : 'data.created'))
    navigate(`${base}/${encodeURIComponent(saved.id)}`)
  }

  const control = (field: FieldView) => {
    const id = `field-${field.name.replace('.', '-')}`
    const label = fieldLabel(i18n, view, field)
    const masked = isMasked(field)
    const zone = field.type === 'datetime' ? t('app.timeZone', { zone: i18n.timeZone }) : null
    const hint = masked
      ? t('data.maskedHint')
      : [field.description, zone].filter(Boolean).join(' · ') || null
    const error = errors[field.name]
    const describedBy =
      [hint ? `${id}-hint` : null, error ? `${id}-error` : null].filter(Boolean).join(' ') ||
      undefined
    const reference = field.reference ? record?.[field.reference.include] : undefined
    const input = (
      <FieldControl
        field={field}
        id={id}
        label={label}
        value={values[field.name]}
        masked={masked}
        invalid={Boolean(error)}
        describedBy={describedBy}
        currentLabel={reference?.[field.reference!.label] ?? reference?.email}
        optionLabel={(value) => enumLabel(i18n, view, field, value)}
        onChange={(value) => {
          setValues((previous) => ({ ...previous, [field.name]: value }))
          setChanged((previous) => new Set(previous).add(field.name))
        }}
      />
    )
    return (
      <div class="data-field" key={field.name}>
        {field.type === 'boolean' ? (
          <label for={id}>
            {input} {label}
          </label>
        ) : (
          <>
            <label for={id}>
              {label}
              {field.required ? <span aria-hidden="true"> *</span> : null}
            </label>
            {input}
          </>
        )}
        {hint ? <small id={`${id}-hint`}>{hint}</small> : null}
        {error ? (
          <small id={`${id}-error`} class="data-field-error">
            {error}
          </small>
        ) : null}
      </div>
    )
  }

  return (
    <Page title={title}>
      <p>
        <Link to={record ? `${base}/${encodeURIComponent(record.id)}` : base}>
          {t('data.back', {
            resource: record ? recordLabel(view, record) : resourceTitle(i18n, view),
          })}
        </Link>
      </p>
      <form ref={form} onSubmit={submit}>
        {saving.error ? <Problem error={saving.error} /> : null}
        {declared.map(control)}
        {custom.length > 0 ? (
          <fieldset>
            <legend>{t('data.customFields')}</legend>
            {custom.map(control)}
          </fieldset>
        ) : null}
        <div class="data-toolbar">
          <button type="submit" disabled={saving.busy} aria-busy={saving.busy}>
            {t('app.save')}
          </button>
          <button
            type="button"
            class="secondary"
            onClick={() => navigate(record ? `${base}/${encodeURIComponent(record.id)}` : base)}
          >
            {t('app.cancel')}
          </button>
        </div>
      </form>
    </Page>
  )
}
