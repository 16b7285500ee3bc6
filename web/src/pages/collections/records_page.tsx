import { Fragment } from 'preact'
import { useState } from 'preact/hooks'
import { api, call } from '../../kit/api.js'
import { useApp } from '../../kit/context.js'
import { useI18n, type I18n } from '../../kit/i18n.js'
import type { PageProps } from '../../kit/plugins.js'
import { navigate, type Location } from '../../kit/router.js'
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
} from '../../kit/ui.js'
import {
  enumLabel,
  fieldLabel,
  recordLabel,
  resourceTitle,
  resourceView,
  shown,
  type DataRecord,
  type FieldView,
  type ResourceView,
} from '../../data/resources.js'
import { FieldValue } from '../../data/values.js'
import { includesOf } from '../../data/detail_page.js'
import { collectionsApi, recordsPath, type CollectionView, type ViewKind } from './api.js'
import { CollectionTabs, MANAGE, RefusalDetails } from './shared.js'

/*
 * /collections/:name/records: a collection's records through its saved views
 * (docs/collections.md): the plain list, a board grouped by an enum (cards
 * moved with a "Move to" select, no dragging), a month calendar by a date,
 * a gallery of cards. Records are read, created and edited through the same
 * records API and generated form as any resource (/data/collections/:name).
 */

const PER_PAGE = 25

export function CollectionRecords(props: PageProps) {
  const { t } = useI18n()
  const name = props.params.name
  const state = useLoad(async () => {
    const [view, views] = await Promise.all([
      resourceView('collections', name),
      collectionsApi.views(name).catch(() => [] as CollectionView[]),
    ])
    return { view, views }
  }, [name])
  if (state.loading && !state.data) return <Loading what={name} />
  if (state.error) return <Problem error={state.error} />
  if (!state.data?.view)
    return (
      <Page title={t('col.title')}>
        <p role="alert">{t('data.unknown')}</p>
        <Link to="/data">{t('data.title')}</Link>
      </Page>
    )
  return (
    <Records
      view={state.data.view}
      views={state.data.views}
      location={props.location}
      reload={state.reload}
    />
  )
}

/** Field of the resource view by name (a view's config names fields). */
const fieldNamed = (view: ResourceView, name: string | undefined) =>
  view.fields.find((field) => field.name === name && shown(field))

/** The fields a card shows under its title: the view's, else the first few. */
function cardFields(view: ResourceView, saved: CollectionView | null, skip: string[]) {
  const named: string[] = saved?.config.card_fields ?? saved?.config.fields ?? []
  const picked = named.map((name) => fieldNamed(view, name)).filter(Boolean) as FieldView[]
  if (picked.length) return picked
  return view.fields
    .filter((field) => !field.builtin && shown(field) && !skip.includes(field.name))
    .filter((field) => field.type !== 'json' && field.type !== 'text')
    .slice(0, 3)
}

/** The records an answer holds: a page of records, or `records`/`items` of an object. */
function recordsOf(data: any): DataRecord[] {
  if (Array.isArray(data)) return data
  return data?.records ?? data?.items ?? []
}

function Records(props: {
  view: ResourceView
  views: CollectionView[]
  location: Location
  reload: () => Promise<unknown>
}) {
  const app = useApp()
  const i18n = useI18n()
  const { t } = i18n
  const { view } = props
  const name = view.name
  const title = resourceTitle(i18n, view)
  const chosen = props.location.query.get('view')
  const saved = props.views.find((candidate) => String(candidate.id) === chosen) ?? null
  const base = `/collections/${name}/records`
  const admin = app.can(MANAGE)
  const [notice, setNotice] = useState<string | null>(null)

  return (
    <Page
      title={title}
      actions={
        view.actions.create ? (
          <button type="button" onClick={() => navigate(`/data/collections/${name}/new`)}>
            {t('data.new')}
          </button>
        ) : null
      }
    >
      {admin ? <CollectionTabs name={name} current="/records" /> : null}
      <nav aria-label={t('col.views')} class="col-views">
        <ul>
          <li>
            <Link to={base} current={!saved}>
              {t('col.view.all')}
            </Link>
          </li>
          {props.views.map((candidate) => (
            <li key={candidate.id}>
              <Link to={`${base}?view=${candidate.id}`} current={saved?.id === candidate.id}>
                {t('col.view.named', {
                  name: candidate.name,
                  kind: t(`col.kind.${candidate.kind}`),
                })}
              </Link>
            </li>
          ))}
        </ul>
      </nav>
      <Notice text={notice} />
      {!saved || saved.kind === 'list' ? (
        <ListView view={view} saved={saved} location={props.location} />
      ) : saved.kind === 'board' ? (
        <BoardView view={view} saved={saved} onMoved={setNotice} />
      ) : saved.kind === 'calendar' ? (
        <CalendarView view={view} saved={saved} />
      ) : (
        <GalleryView view={view} saved={saved} />
      )}
      {admin ? (
        <ViewAdmin
          view={view}
          views={props.views}
          saved={saved}
          onChanged={async (id) => {
            await props.reload()
            navigate(id ? `${base}?view=${id}` : base)
          }}
        />
      ) : null}
    </Page>
  )
}

/** A saved view's records (its filters, sort and row rules applied by the server). */
function useViewRecords(
  view: ResourceView,
  saved: CollectionView | null,
  query: Record<string, any>
) {
  return useLoad(
    () =>
      saved
        ? collectionsApi.viewRecords(view.name, saved.id, query)
        : call<DataRecord[]>(recordsPath(view.name), {
            query: { include: includesOf(view) || undefined, ...query },
          }),
    [view.key, saved?.id, JSON.stringify(query)]
  )
}

function ListView(props: { view: ResourceView; saved: CollectionView | null; location: Location }) {
  const i18n = useI18n()
  const { t } = i18n
  const { view } = props
  const [page, setPage] = useState(1)
  const records = useViewRecords(view, props.saved, { page, per_page: PER_PAGE })
  const named: string[] = props.saved?.config.fields ?? []
  const columns = (
    named.length
      ? named.map((name) => fieldNamed(view, name)).filter(Boolean)
      : view.fields.filter(
          (field) => shown(field) && field.type !== 'json' && field.name !== 'updated_at'
        )
  ) as FieldView[]
  const label = fieldNamed(view, view.label_field)
  const ordered = label ? [label, ...columns.filter((field) => field !== label)] : columns
  if (records.loading && !records.data) return <Loading what={resourceTitle(i18n, view)} />
  if (records.error) return <Problem error={records.error} />
  const rows = recordsOf(records.data?.data)
  const pagination = records.data?.pagination
  return (
    <>
      <p class="muted" aria-live="polite">
        {t('data.count', { count: pagination?.total ?? rows.length })}
      </p>
      {rows.length === 0 ? (
        <Empty />
      ) : (
        <div class="data-scroll" role="region" aria-label={resourceTitle(i18n, view)} tabIndex={0}>
          <table class="striped data-table">
            <thead>
              <tr>
                {ordered.map((field) => (
                  <th key={field.name} scope="col">
                    {fieldLabel(i18n, view, field)}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {rows.map((record) => (
                <tr key={record.id}>
                  {ordered.map((field, index) => (
                    <td key={field.name}>
                      {index === 0 ? (
                        <Link to={`/data/collections/${view.name}/${record.id}`}>
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
          onPage={setPage}
        />
      ) : null}
    </>
  )
}

type Group = { value: string | null; count: number; records: DataRecord[] }

/** The board's columns from the view's answer: `groups` (or `columns`), each a value, count and records. */
function groupsOf(data: any, field: FieldView): Group[] {
  const groups: any[] = Array.isArray(data) ? data : (data?.groups ?? data?.columns ?? [])
  if (groups.length && 'records' in groups[0])
    return groups.map((group) => ({
      value: group.value ?? null,
      count: group.count ?? group.total ?? group.records.length,
      records: group.records,
    }))
  // A plain page of records: grouped here, in the enum's order.
  const records = recordsOf(data)
  return [...(field.values ?? []), null].map((value) => {
    const mine = records.filter((record) => (record[field.name] ?? null) === value)
    return { value, count: mine.length, records: mine }
  })
}

/** A card's title and fields, linking to the record. */
function Card(props: {
  view: ResourceView
  record: DataRecord
  fields: FieldView[]
  title?: FieldView
}) {
  const i18n = useI18n()
  const { view, record } = props
  const heading = props.title
    ? String(record[props.title.name] ?? `#${record.id}`)
    : recordLabel(view, record)
  return (
    <>
      <h3>
        <Link to={`/data/collections/${view.name}/${record.id}`}>{heading}</Link>
      </h3>
      <dl class="col-card-fields">
        {props.fields.map((field) => (
          <Fragment key={field.name}>
            <dt>{fieldLabel(i18n, view, field)}</dt>
            <dd>
              <FieldValue view={view} field={field} record={record} />
            </dd>
          </Fragment>
        ))}
      </dl>
    </>
  )
}

function BoardView(props: {
  view: ResourceView
  saved: CollectionView
  onMoved: (text: string) => void
}) {
  const i18n = useI18n()
  const { t, number } = i18n
  const { view, saved } = props
  const field = fieldNamed(view, saved.config.group_by)
  const records = useViewRecords(view, saved, { per_page: 100 })
  const moving = useAction()
  if (!field) return <p role="alert">{t('col.view.broken')}</p>
  if (records.loading && !records.data) return <Loading what={saved.name} />
  if (records.error) return <Problem error={records.error} />
  const groups = groupsOf(records.data?.data, field)
  const title = fieldNamed(view, saved.config.title_field)
  const fields = cardFields(view, saved, [field.name, title?.name ?? view.label_field])
  const valueName = (value: string | null) =>
    value === null ? t('col.view.noValue') : enumLabel(i18n, view, field, value)
  const move = (record: DataRecord, value: string) =>
    moving.run(async () => {
      await api(`${recordsPath(view.name)}/${record.id}`, {
        method: 'PATCH',
        body: { [field.name]: value === '' ? null : value },
      })
      await records.reload()
      props.onMoved(
        t('col.view.moved', { title: recordLabel(view, record), to: valueName(value || null) })
      )
    })
  return (
    <>
      <Problem error={moving.error} />
      <ul
        class="col-board"
        aria-label={t('col.view.boardOf', { field: fieldLabel(i18n, view, field) })}
      >
        {groups
          .filter((group) => group.value !== null || group.count > 0)
          .map((group) => (
            <li key={group.value ?? ''} class="col-column">
              <h2>
                {valueName(group.value)} <span class="muted">({number(group.count)})</span>
              </h2>
              {group.records.length === 0 ? (
                <p class="muted">{t('col.view.emptyColumn')}</p>
              ) : (
                <ul>
                  {group.records.map((record) => (
                    <li key={record.id}>
                      <article class="col-card">
                        <Card view={view} record={record} fields={fields} title={title} />
                        {view.actions.update ? (
                          <label for={`move-${record.id}`} class="col-move">
                            {t('col.view.moveTo', { title: recordLabel(view, record) })}
                            <select
                              id={`move-${record.id}`}
                              value={record[field.name] ?? ''}
                              disabled={moving.busy}
                              onChange={(event) => move(record, event.currentTarget.value)}
                            >
                              {field.required ? null : (
                                <option value="">{t('col.view.noValue')}</option>
                              )}
                              {(field.values ?? []).map((value) => (
                                <option key={value} value={value}>
                                  {valueName(value)}
                                </option>
                              ))}
                            </select>
                          </label>
                        ) : null}
                      </article>
                    </li>
                  ))}
                </ul>
              )}
            </li>
          ))}
      </ul>
    </>
  )
}

/** `YYYY-MM` → the first and last day of that month. */
function monthRange(month: string) {
  const [year, number] = month.split('-').map(Number)
  const last = new Date(Date.UTC(year, number, 0)).getUTCDate()
  return { from: `${month}-01`, to: `${month}-${String(last).padStart(2, '0')}`, days: last }
}

function shiftMonth(month: string, delta: number) {
  const [year, number] = month.split('-').map(Number)
  const date = new Date(Date.UTC(year, number - 1 + delta, 1))
  return date.toISOString().slice(0, 7)
}

/** The school's calendar day of a record's date or datetime. */
function dayOf(i18n: I18n, field: FieldView, value: unknown) {
  if (!value) return null
  return field.type === 'datetime'
    ? i18n.wallClock(String(value)).slice(0, 10)
    : String(value).slice(0, 10)
}

function CalendarView(props: { view: ResourceView; saved: CollectionView }) {
  const i18n = useI18n()
  const { t } = i18n
  const { view, saved } = props
  const field = fieldNamed(view, saved.config.date_field ?? saved.config.field)
  const [month, setMonth] = useState(() => i18n.today().slice(0, 7))
  const range = monthRange(month)
  const records = useViewRecords(view, saved, { from: range.from, to: range.to })
  if (!field) return <p role="alert">{t('col.view.broken')}</p>
  const title = fieldNamed(view, saved.config.title_field)
  const rows = recordsOf(records.data?.data)
  const days = Array.from({ length: range.days }, (_, index) => {
    const day = `${month}-${String(index + 1).padStart(2, '0')}`
    return { day, records: rows.filter((record) => dayOf(i18n, field, record[field.name]) === day) }
  })
  const monthName = new Intl.DateTimeFormat(i18n.locale, {
    month: 'long',
    year: 'numeric',
    timeZone: 'UTC',
  }).format(new Date(`${month}-01T00:00:00Z`))
  return (
    <>
      <div class="calendar-bar">
        <button type="button" class="secondary" onClick={() => setMonth(shiftMonth(month, -1))}>
          {t('app.previous')}
        </button>
        <h2 aria-live="polite">{monthName}</h2>
        <button type="button" class="secondary" onClick={() => setMonth(shiftMonth(month, 1))}>
          {t('app.next')}
        </button>
      </div>
      <Problem error={records.error} />
      {records.loading && !records.data ? <Loading what={saved.name} /> : null}
      <ol class="col-month">
        {days.map((entry) => (
          <li key={entry.day} class={entry.records.length ? 'busy' : 'free'}>
            <h3 class="day-title">{i18n.date(entry.day)}</h3>
            {entry.records.length ? (
              <ul>
                {entry.records.map((record) => (
                  <li key={record.id}>
                    <Link to={`/data/collections/${view.name}/${record.id}`}>
                      {title
                        ? String(record[title.name] ?? `#${record.id}`)
                        : recordLabel(view, record)}
                    </Link>
                    {field.type === 'datetime' ? (
                      <span class="muted"> {i18n.time(String(record[field.name]))}</span>
                    ) : null}
                  </li>
                ))}
              </ul>
            ) : null}
          </li>
        ))}
      </ol>
      {rows.length === 0 && !records.loading ? <Empty text={t('col.view.emptyMonth')} /> : null}
    </>
  )
}

function GalleryView(props: { view: ResourceView; saved: CollectionView }) {
  const { view, saved } = props
  const records = useViewRecords(view, saved, { per_page: 50 })
  const title = fieldNamed(view, saved.config.title_field)
  const image = fieldNamed(view, saved.config.image_field)
  const fields = cardFields(view, saved, [title?.name ?? view.label_field, image?.name ?? ''])
  if (records.loading && !records.data) return <Loading what={saved.name} />
  if (records.error) return <Problem error={records.error} />
  const rows = recordsOf(records.data?.data)
  if (rows.length === 0) return <Empty />
  return (
    <ul class="col-gallery">
      {rows.map((record) => {
        const source = image ? record[image.name] : null
        const picture =
          typeof source === 'string' && /^(https?:\/\/|\/)/.test(source) ? source : null
        return (
          <li key={record.id}>
            <article class="col-card">
              {picture ? <img src={picture} alt="" loading="lazy" /> : null}
              <Card view={view} record={record} fields={fields} title={title} />
            </article>
          </li>
        )
      })}
    </ul>
  )
}

/** Admins: save a new view (list, board by an enum, calendar by a date, gallery) or remove the one shown. */
function ViewAdmin(props: {
  view: ResourceView
  views: CollectionView[]
  saved: CollectionView | null
  onChanged: (id: string | number | null) => Promise<void>
}) {
  const i18n = useI18n()
  const { t } = i18n
  const { view } = props
  const [kind, setKind] = useState<ViewKind>('board')
  const [name, setName] = useState('')
  const [field, setField] = useState('')
  const saving = useAction()
  const removing = useAction()
  const enums = view.fields.filter((candidate) => candidate.type === 'enum' && !candidate.builtin)
  const dates = view.fields.filter(
    (candidate) => candidate.type === 'date' || candidate.type === 'datetime'
  )
  const files = view.fields.filter((candidate) => candidate.type === 'file')
  const choices =
    kind === 'board' ? enums : kind === 'calendar' ? dates : kind === 'gallery' ? files : []
  const configKey =
    kind === 'board' ? 'group_by' : kind === 'calendar' ? 'date_field' : 'image_field'
  const submit = (event: Event) => {
    event.preventDefault()
    saving.run(async () => {
      const config: Record<string, unknown> = {}
      if (choices.length && field) config[configKey] = field
      const created = await collectionsApi.createView(view.name, {
        name: name.trim(),
        kind,
        config,
      })
      setName('')
      await props.onChanged(created.id)
    })
  }
  return (
    <details class="col-view-admin">
      <summary>{t('col.view.manage')}</summary>
      <form onSubmit={submit}>
        <label for="view-name">
          {t('col.view.name')}
          <input
            id="view-name"
            value={name}
            required
            maxLength={80}
            onInput={(event) => setName(event.currentTarget.value)}
          />
        </label>
        <label for="view-kind">
          {t('col.view.kind')}
          <select
            id="view-kind"
            value={kind}
            onChange={(event) => {
              setKind(event.currentTarget.value as ViewKind)
              setField('')
            }}
          >
            {(['list', 'board', 'calendar', 'gallery'] as const).map((candidate) => (
              <option key={candidate} value={candidate}>
                {t(`col.kind.${candidate}`)}
              </option>
            ))}
          </select>
        </label>
        {kind !== 'list' ? (
          <label for="view-field">
            {t(`col.view.field.${kind}`)}
            <select
              id="view-field"
              value={field}
              required={kind !== 'gallery'}
              onChange={(event) => setField(event.currentTarget.value)}
            >
              <option value="">{t('col.choose')}</option>
              {choices.map((candidate) => (
                <option key={candidate.name} value={candidate.name}>
                  {fieldLabel(i18n, view, candidate)}
                </option>
              ))}
            </select>
          </label>
        ) : null}
        <Problem error={saving.error} />
        <RefusalDetails error={saving.error} />
        <button type="submit" disabled={saving.busy} aria-busy={saving.busy}>
          {t('col.view.save')}
        </button>
      </form>
      {props.saved ? (
        <>
          <Problem error={removing.error} />
          <button
            type="button"
            class="secondary outline"
            disabled={removing.busy}
            onClick={() =>
              removing.run(async () => {
                await collectionsApi.removeView(view.name, props.saved!.id)
                await props.onChanged(null)
              })
            }
          >
            {t('col.view.remove', { name: props.saved.name })}
          </button>
        </>
      ) : null}
    </details>
  )
}
