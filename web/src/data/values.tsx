import { useI18n } from '../kit/i18n.js'
import { Link } from '../kit/ui.js'
import {
  enumLabel,
  targetPath,
  valueOf,
  type DataRecord,
  type FieldView,
  type ResourceView,
} from './resources.js'

const MASK = '***'

/** A record's value of one field, as people read it (dates and numbers in the tenant's locale). */
export function FieldValue(props: { view: ResourceView; field: FieldView; record: DataRecord }) {
  const i18n = useI18n()
  const { field, record } = props
  const value = valueOf(record, field)
  if (value === null || value === undefined || value === '')
    return <span class="muted">{i18n.t('data.none_')}</span>
  if (value === MASK && field.sensitive && !field.sensitive.visible)
    return (
      <span class="masked">
        <span aria-hidden="true">{MASK}</span>
        <span class="data-sr-only">{i18n.t('data.masked')}</span>
      </span>
    )
  if (field.name === 'id') return <>{String(value)}</>
  switch (field.type) {
    case 'boolean':
      return <>{i18n.t(value ? 'data.yes' : 'data.no')}</>
    case 'date':
      return <>{i18n.date(String(value))}</>
    case 'datetime':
      return <>{i18n.dateTime(String(value))}</>
    case 'integer':
    case 'decimal':
      return <>{i18n.number(Number(value))}</>
    case 'json':
      return <code>{JSON.stringify(value)}</code>
    case 'reference': {
      const reference = field.reference!
      const embedded = record[reference.include]
      const label = embedded?.[reference.label] ? String(embedded[reference.label]) : `#${value}`
      const path = targetPath(reference.target)
      return path ? <Link to={`${path}/${encodeURIComponent(value)}`}>{label}</Link> : <>{label}</>
    }
    case 'enum':
      return <>{enumLabel(i18n, props.view, field, String(value))}</>
    default:
      return <>{String(value)}</>
  }
}
