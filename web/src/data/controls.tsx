import { useEffect, useState } from 'preact/hooks'
import { call } from '../kit/api.js'
import { useI18n } from '../kit/i18n.js'
import { humanize, type FieldView } from './resources.js'

/*
 * One form control per field type (docs/web.md, "Generated views"): the
 * declaration's constraints become HTML constraints, enums a select, booleans
 * a checkbox, references a picker over the target's list.
 */

/** A control's value as the form keeps it: text for inputs, a boolean for checkboxes. */
export type FormValue = string | boolean

export type ControlProps = {
  field: FieldView
  id: string
  label: string
  value: FormValue
  onChange: (value: FormValue) => void
  /** Ids of the hint and error lines (aria-describedby). */
  describedBy?: string
  invalid: boolean
  /** A masked value the user may not read: the control starts empty. */
  masked: boolean
  /** The label of the current reference (from the record's include). */
  currentLabel?: string
  /** An enum value's label (the plugin's catalogue, else humanised). */
  optionLabel?: (value: string) => string
  /** The empty choice of a select or picker ("Choose…" by default; a filter says "Any"). */
  emptyLabel?: string
}

const text = (value: FormValue) => (typeof value === 'string' ? value : '')

export function FieldControl(props: ControlProps) {
  const { t } = useI18n()
  const { field } = props
  const common = {
    'id': props.id,
    'name': field.name,
    'aria-invalid': props.invalid ? ('true' as const) : undefined,
    'aria-describedby': props.describedBy,
    'required': field.required && !props.masked,
  }
  const onInput = (event: Event) => props.onChange((event.currentTarget as HTMLInputElement).value)
  switch (field.type) {
    case 'boolean':
      return (
        <input
          {...common}
          required={false}
          type="checkbox"
          role="switch"
          checked={props.value === true}
          onChange={(event) => props.onChange(event.currentTarget.checked)}
        />
      )
    case 'enum':
      return (
        <select {...common} value={text(props.value)} onChange={onInput}>
          {field.required && text(props.value) !== '' ? null : (
            <option value="">{props.emptyLabel ?? t('data.pick')}</option>
          )}
          {(field.values ?? []).map((value) => (
            <option key={value} value={value}>
              {props.optionLabel ? props.optionLabel(value) : humanize(value)}
            </option>
          ))}
        </select>
      )
    case 'text':
    case 'json':
      return (
        <textarea
          {...common}
          rows={field.type === 'json' ? 6 : 4}
          minLength={field.min_length ?? undefined}
          maxLength={field.max_length ?? undefined}
          placeholder={props.masked ? '***' : undefined}
          value={text(props.value)}
          onInput={onInput}
        />
      )
    case 'integer':
    case 'decimal':
      return (
        <input
          {...common}
          type="number"
          inputMode={field.type === 'integer' ? 'numeric' : 'decimal'}
          step={field.type === 'integer' ? 1 : 'any'}
          min={field.min ?? undefined}
          max={field.max ?? undefined}
          placeholder={props.masked ? '***' : undefined}
          value={text(props.value)}
          onInput={onInput}
        />
      )
    case 'date':
      return <input {...common} type="date" value={text(props.value)} onInput={onInput} />
    case 'datetime':
      // The tenant's wall clock (form_page.tsx turns it into an instant), not the device's.
      return <input {...common} type="datetime-local" value={text(props.value)} onInput={onInput} />
    case 'reference':
      return <ReferencePicker {...props} />
    default:
      return (
        <input
          {...common}
          type="text"
          minLength={field.min_length ?? undefined}
          maxLength={field.max_length ?? undefined}
          pattern={field.pattern ?? undefined}
          placeholder={props.masked ? '***' : undefined}
          value={text(props.value)}
          onInput={onInput}
        />
      )
  }
}

type Candidate = { id: string; label: string }

/**
 * A reference: a search box narrowing the target's list (its own search, or
 * the users' `q`) and a select of the candidates. Without the right to list
 * the target, a plain id input.
 */
export function ReferencePicker(props: ControlProps) {
  const { t } = useI18n()
  const reference = props.field.reference!
  const [term, setTerm] = useState('')
  const [candidates, setCandidates] = useState<Candidate[] | null>(null)
  const [closed, setClosed] = useState(false)
  useEffect(() => {
    let stale = false
    const timer = setTimeout(async () => {
      try {
        const answer = await call<any[]>(reference.list, {
          query: {
            per_page: 25,
            ...(reference.search && term ? { [reference.search]: term } : {}),
          },
        })
        if (!stale)
          setCandidates(
            answer.data.map((row) => ({
              id: String(row.id),
              label: String(row[reference.label] ?? row.email ?? `#${row.id}`),
            }))
          )
      } catch {
        if (!stale) setClosed(true)
      }
    }, 250)
    return () => {
      stale = true
      clearTimeout(timer)
    }
  }, [term])
  const value = text(props.value)
  const common = {
    'id': props.id,
    'name': props.field.name,
    'aria-invalid': props.invalid ? ('true' as const) : undefined,
    'aria-describedby': props.describedBy,
    'required': props.field.required,
  }
  if (closed)
    return (
      <input
        {...common}
        type="text"
        value={value}
        onInput={(event) => props.onChange(event.currentTarget.value)}
      />
    )
  const options = [...(candidates ?? [])]
  if (value && !options.some((option) => option.id === value))
    options.unshift({ id: value, label: props.currentLabel ?? `#${value}` })
  return (
    <div class="data-picker">
      {reference.search ? (
        <input
          type="search"
          aria-label={t('data.pickSearch', { field: props.label })}
          aria-controls={props.id}
          value={term}
          onInput={(event) => setTerm(event.currentTarget.value)}
        />
      ) : null}
      <select
        {...common}
        aria-busy={candidates === null}
        value={value}
        onChange={(event) => props.onChange(event.currentTarget.value)}
      >
        <option value="">{props.emptyLabel ?? t('data.pick')}</option>
        {options.map((option) => (
          <option key={option.id} value={option.id}>
            {option.label}
          </option>
        ))}
      </select>
    </div>
  )
}
