import { useState } from 'preact/hooks'
import { api, call, download } from '../kit/api.js'
import { useI18n } from '../kit/i18n.js'
import type { PageProps } from '../kit/plugins.js'
import { navigate, type Location } from '../kit/router.js'
import {
  Empty,
  Link,
  Loading,
  Notice,
  Page,
  Pager,
  Problem,
  useAction,
  useLoad,
} from '../kit/ui.js'
import { takeFlash } from './flash.js'
import { nextDay } from '../kit/zone.js'
import { ReferencePicker } from './controls.js'
import {
  enumLabel,
  fieldLabel,
  resourceTitle,
  shown,
  type DataRecord,
  type FieldView,
  type ResourceView,
} from './resources.js'
import { FieldValue } from './values.js'
import { useResourceView, Unknown } from './view.js'

const PER_PAGE = 25
/** Parameters of the list route the page keeps in its address (so it can be reloaded or shared). */
const KEPT = /^(filter\[.+\]|sort|search|page)$/

const SHOWN_IN_LIST = (field: FieldView) =>
  shown(field) && !field.builtin && !['text', 'json'].includes(field.type)

/** The columns: the label field first, then the declared and custom fields a cell can show. */
function columnsOf(view: ResourceView) {
  const fields = [...view.fields, ...view.custom_fields].filter(SHOWN_IN_LIST)
  const label = fields.find((field) => field.name === view.label_field)
  return label ? [label, ...fields.filter((field) => field !== label)] : fields
}

/** The filter control a field gets, from its type and the operators the list accepts from this user. */
function filterKind(field: FieldView) {
  const takes = (...operators: string[]) => operators.every((op) => field.filters.includes(op))
  if (field.builtin) return null
  switch (field.type) {
    case 'enum':
    case 'boolean':
      return takes('eq') ? 'choice' : null
    case 'date':
    case 'datetime':
    case 'integer':
    case 'decimal':
      return takes('gte', 'lte') ? 'range' : null
    case 'string':
    case 'text':
      return takes('contains') ? 'contains' : null
    case 'reference':
      return takes('eq') && field.reference ? 'reference' : null
    default:
      return null
  }
}

/** Fields offered as filters: choices, ranges (dates, numbers), text that contains, a referenced record. */
function filterFields(view: ResourceView) {
  return [...view.fields, ...view.custom_fields].filter((field) => filterKind(field) !== null)
}

function keptParams(location: Location) {
  const params = new URLSearchParams()
  for (const [key, value] of location.query) if (KEPT.test(key) && value) params.set(key, value)
  return params
}

/** The list's filters as an export takes them: `{ category: { eq: "arts" } }`. */
function exportFilters(params: URLSearchParams) {
  const filters: Record<string, Record<string, string>> = {}
  for (const [key, value] of params) {
    const match = /^filter\[([^\]]+)\](?:\[([^\]]*)\])?$/.exec(key)
    if (match) (filters[match[1]] ??= {})[match[2] || 'eq'] = value
  }
  return filters
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/** /data/:plugin/:resource: a generated list of a declared resource. */
export function DataList(props: PageProps) {
  const state = useResourceView(props.params.plugin, props.params.resource)
  if (state.loading && !state.data) return <Loading what={props.params.resource} />
  if (state.error) return <Problem error={state.error} />
  if (!state.data) return <Unknown />
  return <ListOf view={state.data} location={props.location} />
}

function ListOf(props: { view: ResourceView; location: Location }) {
  const i18n = useI18n()
  const { t } = i18n
  const { view } = props
  const title = resourceTitle(i18n, view)
  const base = `/data/${view.plugin}/${view.name}`
  const params = keptParams(props.location)
  const [notice, setNotice] = useState(takeFlash)
  const exporting = useAction()

  const includes = [...view.fields]
    .filter((field) => field.reference && shown(field))
    .map((field) => field.reference!.include)
  const list = useLoad(
    () =>
      call<DataRecord[]>(view.path, {
        query: {
          ...Object.fromEntries(params),
          per_page: PER_PAGE,
          include: includes.join(',') || undefined,
        },
      }),
    [view.key, params.toString()]
  )

  /** Changes the address's parameters; any change but the page's goes back to page 1. */
  const update = (changes: Record<string, string | null>) => {
    const next = new URLSearchParams(params)
    for (const [key, value] of Object.entries(changes)) {
      if (value === null || value === '') next.delete(key)
      else next.set(key, value)
    }
    if (!('page' in changes)) next.delete('page')
    const query = next.toString()
    navigate(query ? `${base}?${query}` : base, { replace: true })
  }

  const sort = params.get('sort') ?? view.default_sort
  const [first] = sort.split(',')
  const sortedBy = first.replace(/^-/, '')
  const descending = first.startsWith('-')

  const exportCsv = () =>
    exporting.run(async () => {
      setNotice(t('data.exporting'))
      let job = await api('/api/v1/exports', {
        method: 'POST',
        body: {
          resource: view.key,
          format: 'csv',
          filters: exportFilters(params),
          sort,
          search: params.get('search') ?? undefined,
        },
      })
      while (job.status !== 'completed') {
        if (job.status === 'failed') throw new Error(job.error ?? job.status)
        await sleep(400)
        job = await api(`/api/v1/exports/${job.id}`)
      }
      await download(job.download.url, `${view.plugin}-${view.name}.csv`)
      setNotice(t('data.exported', { count: job.row_count }))
    })

  const columns = columnsOf(view)
  const filters = filterFields(view)
  const filtered = [...params.keys()].some((key) => key.startsWith('filter['))
  // Open at first when the address filters; then the user's to open and close.
  const [filtersOpen] = useState(filtered)
  const pagination = list.data?.pagination

  return (
    <Page
      title={title}
      actions={
        view.actions.create ? (
          <button type="button" onClick={() => navigate(`${base}/new`)}>
            {t('data.new')}
          </button>
        ) : null
      }
    >
      {view.description ? <p class="muted">{view.description}</p> : null}
      <Notice text={notice} />
      <Problem error={exporting.error} />
      <div class="data-toolbar">
        {view.searchable ? (
          <form
            role="search"
            onSubmit={(event) => {
              event.preventDefault()
              const data = new FormData(event.currentTarget)
              update({ search: String(data.get('search') ?? '').trim() })
            }}
          >
            <input
              type="search"
              name="search"
              aria-label={t('data.searchIn', { resource: title })}
              defaultValue={params.get('search') ?? ''}
              key={params.get('search') ?? ''}
            />
            <button type="submit">{t('data.search')}</button>
          </form>
        ) : null}
        <button
          type="button"
          class="secondary"
          onClick={exportCsv}
          disabled={exporting.busy}
          aria-busy={exporting.busy}
        >
          {t('data.export')}
        </button>
      </div>
      {filters.length > 0 ? (
        <details open={filtersOpen || undefined}>
          <summary>{t('data.filters')}</summary>
          <div class="data-filters">
            {filters.map((field) => (
              <FilterControl
                key={field.name}
                view={view}
                field={field}
                params={params}
                onChange={update}
              />
            ))}
          </div>
          {filtered ? (
            <button
              type="button"
              class="secondary outline"
              onClick={() =>
                update(
                  Object.fromEntries(
                    [...params.keys()]
                      .filter((key) => key.startsWith('filter['))
                      .map((key) => [key, null])
                  )
                )
              }
            >
              {t('data.clear')}
            </button>
          ) : null}
        </details>
      ) : null}
      {list.error ? <Problem error={list.error} /> : null}
      {list.loading && !list.data ? <Loading what={title} /> : null}
      {list.data ? (
        <>
          <p class="muted" aria-live="polite">
            {t('data.count', { count: pagination?.total ?? list.data.data.length })}
          </p>
          {list.data.data.length === 0 ? (
            <Empty />
          ) : (
            <div
              class="data-scroll"
              role="region"
              aria-label={title}
              aria-busy={list.loading}
              tabIndex={0}
            >
              <table class="striped data-table">
                <thead>
                  <tr>
                    {columns.map((field) => {
                      const label = fieldLabel(i18n, view, field)
                      const active = sortedBy === field.name
                      return (
                        <th
                          key={field.name}
                          scope="col"
                          aria-sort={active ? (descending ? 'descending' : 'ascending') : undefined}
                        >
                          {field.sortable ? (
                            <button
                              type="button"
                              class="data-sort"
                              title={t('data.sortBy', { field: label })}
                              onClick={() =>
                                update({
                                  sort: active && !descending ? `-${field.name}` : field.name,
                                })
                              }
                            >
                              {label}
                              <span aria-hidden="true">
                                {active ? (descending ? ' ▼' : ' ▲') : ''}
                              </span>
                            </button>
                          ) : (
                            label
                          )}
                        </th>
                      )
                    })}
                  </tr>
                </thead>
                <tbody>
                  {list.data.data.map((record) => (
                    <tr key={record.id}>
                      {columns.map((field, index) => (
                        <td key={field.name}>
                          {index === 0 ? (
                            <Link to={`${base}/${encodeURIComponent(record.id)}`}>
                              <FieldValue view={view} field={field} record={record} />
                            </Link>
                          ) : (
                            <FieldValue view={view} field={field} record={record} />
                          )}
                        </td>
                      ))}
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
          {pagination ? (
            <Pager
              page={pagination.page}
              last={pagination.last_page ?? Math.ceil(pagination.total / pagination.per_page)}
              onPage={(page) => update({ page: String(page) })}
            />
          ) : null}
        </>
      ) : null}
    </Page>
  )
}

function FilterControl(props: {
  view: ResourceView
  field: FieldView
  params: URLSearchParams
  onChange: (changes: Record<string, string | null>) => void
}) {
  const i18n = useI18n()
  const { t } = i18n
  const { field, params } = props
  const label = fieldLabel(i18n, props.view, field)
  const id = `filter-${field.name.replace('.', '-')}`
  const kind = filterKind(field)
  if (kind === 'range') {
    const from = `filter[${field.name}][gte]`
    const to = `filter[${field.name}][lte]`
    const numeric = field.type === 'integer' || field.type === 'decimal'
    // A datetime is filtered by days of the school's calendar: from its first instant to its last.
    const zoned = field.type === 'datetime'
    const display = (key: string) => {
      const value = params.get(key) ?? ''
      return zoned ? i18n.wallClock(value).slice(0, 10) : value
    }
    const kept = (day: string, end: boolean) => {
      if (!zoned || !day) return day
      const first = i18n.instant(end ? nextDay(day) : day)
      if (!first) return ''
      return end ? new Date(Date.parse(first) - 1).toISOString() : first
    }
    const bound = (key: string, end: boolean) => (
      <label for={`${id}-${end ? 'to' : 'from'}`}>
        {t(end ? 'data.to' : 'data.from', { field: label })}
        <input
          id={`${id}-${end ? 'to' : 'from'}`}
          type={numeric ? 'number' : 'date'}
          step={numeric ? 'any' : undefined}
          // Uncontrolled: the list reloading must not wipe what is being typed.
          defaultValue={display(key)}
          key={display(key)}
          onChange={(event) => props.onChange({ [key]: kept(event.currentTarget.value, end) })}
          onKeyDown={(event) =>
            event.key === 'Enter' && props.onChange({ [key]: kept(event.currentTarget.value, end) })
          }
        />
      </label>
    )
    return (
      <>
        {bound(from, false)}
        {bound(to, true)}
      </>
    )
  }
  if (kind === 'contains') {
    const key = `filter[${field.name}][contains]`
    return (
      <label for={id}>
        {t('data.contains', { field: label })}
        <input
          id={id}
          type="search"
          defaultValue={params.get(key) ?? ''}
          key={params.get(key) ?? ''}
          onChange={(event) => props.onChange({ [key]: event.currentTarget.value.trim() })}
          onKeyDown={(event) =>
            event.key === 'Enter' && props.onChange({ [key]: event.currentTarget.value.trim() })
          }
        />
      </label>
    )
  }
  const key = `filter[${field.name}][eq]`
  if (kind === 'reference')
    return (
      <div>
        <label for={id}>{label}</label>
        <ReferencePicker
          field={{ ...field, required: false }}
          id={id}
          label={label}
          value={params.get(key) ?? ''}
          invalid={false}
          masked={false}
          emptyLabel={t('data.any')}
          onChange={(value) => props.onChange({ [key]: String(value) })}
        />
      </div>
    )
  const choices: Array<[string, string]> =
    field.type === 'boolean'
      ? [
          ['true', t('data.yes')],
          ['false', t('data.no')],
        ]
      : (field.values ?? []).map((value) => [value, enumLabel(i18n, props.view, field, value)])
  return (
    <label for={id}>
      {label}
      <select
        id={id}
        value={params.get(key) ?? ''}
        onChange={(event) => props.onChange({ [key]: event.currentTarget.value })}
      >
        <option value="">{t('data.any')}</option>
        {choices.map(([value, text]) => (
          <option key={value} value={value}>
            {text}
          </option>
        ))}
      </select>
    </label>
  )
}
