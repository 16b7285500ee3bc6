import { DateTime } from 'luxon'
import type { TransactionClientContract } from '@adonisjs/lucid/types/database'
import { recordAudit } from '../../audit/audit.js'
import { E_VALIDATION } from '../../errors.js'
import type { Pagination } from '../../http/envelope.js'
import type { ResourcePrincipal } from '../../resources/define_resource.js'
import type { ResourceModel } from '../../resources/model.js'
import type { Detail } from '../../resources/query.js'
import { PG, type PgError } from '../../resources/sql.js'
import { listQueryString, withParams } from '../../reports/list_query.js'
import { isoDate, tenantDate, tenantZone } from '../../tenancy/dates.js'
import { readTenantDb, withTenantDb } from '../../tenancy/tenant_db.js'
import { collectionRecords } from '../records.js'
import { collectionModel } from '../registry.js'
import { checkView, type ResolvedView } from './config.js'
import { E_VIEW_EXISTS, E_VIEW_NOT_FOUND } from './errors.js'
import type { ViewConfig, ViewKind } from './validators.js'

/*
 * Saved views of a collection (docs/collections.md, "Views"): a list, a board
 * grouped by an enum field, a calendar by a date and a gallery of cards. A
 * view only shapes a query: its records are read through collectionRecords.list,
 * with the reader's permissions, row rules and field visibility, like any list.
 */

export type CollectionView = {
  id: string
  collection: string
  name: string
  kind: ViewKind
  config: ViewConfig
  position: number
  created_at: string
  updated_at: string
}

type Row = Record<string, any>

const COLUMNS = [
  'id',
  'collection',
  'name',
  'kind',
  'config',
  'position',
  'created_at',
  'updated_at',
]
/** Widest calendar window one request may ask for (a month with the days around it). */
export const CALENDAR_MAX_DAYS = 62
/** Most records a calendar answers at once (the rest: `truncated: true`, ask for a shorter range). */
export const CALENDAR_MAX_RECORDS = 500
const BOARD_PER_COLUMN = 25

function present(row: Row): CollectionView {
  return {
    id: String(row.id),
    collection: row.collection,
    name: row.name,
    kind: row.kind,
    config: row.config ?? {},
    position: row.position,
    created_at: new Date(row.created_at).toISOString(),
    updated_at: new Date(row.updated_at).toISOString(),
  }
}

function invalid(details: Detail[]): never {
  throw new E_VALIDATION([], { details })
}

function parseViewId(collection: string, id: string) {
  if (!/^\d{1,18}$/.test(id)) throw new E_VIEW_NOT_FOUND([collection, id])
  return id
}

async function audit(
  trx: TransactionClientContract,
  actor: string,
  verb: string,
  view: Row,
  data: Record<string, unknown>
) {
  await recordAudit(trx, {
    actor,
    action: `core.collections.views.${verb}`,
    resource: `collections.${view.collection}.views`,
    resource_id: String(view.id),
    data,
  })
}

async function nameTaken<T>(collection: string, name: string, write: () => Promise<T>) {
  try {
    return await write()
  } catch (error) {
    if ((error as PgError).code === PG.uniqueViolation) throw new E_VIEW_EXISTS([collection, name])
    throw error
  }
}

export async function listViews(collection: string): Promise<CollectionView[]> {
  await collectionModel(collection)
  const rows = await readTenantDb((client, table) =>
    client
      .from(table('collection_views'))
      .where('collection', collection)
      .orderBy([{ column: 'position' }, { column: 'id' }])
      .select(COLUMNS)
  )
  return rows.map(present)
}

export async function findView(collection: string, id: string): Promise<CollectionView> {
  parseViewId(collection, id)
  const row = await readTenantDb((client, table) =>
    client.from(table('collection_views')).where({ collection, id }).select(COLUMNS).first()
  )
  if (!row) throw new E_VIEW_NOT_FOUND([collection, id])
  return present(row)
}

export async function createView(
  collection: string,
  input: { name: string; kind: ViewKind; config?: ViewConfig; position?: number },
  actor: string
): Promise<CollectionView> {
  const model = await collectionModel(collection)
  const config = input.config ?? {}
  checkView(collection, model, input.kind, config)
  const row = await nameTaken(collection, input.name, () =>
    withTenantDb(async (trx) => {
      const [inserted] = await trx
        .insertQuery()
        .table('collection_views')
        .insert({
          collection,
          name: input.name,
          kind: input.kind,
          config: JSON.stringify(config),
          position: input.position ?? 0,
        })
        .returning(COLUMNS)
      await audit(trx, actor, 'create', inserted, { name: input.name, kind: input.kind, config })
      return inserted
    })
  )
  return present(row)
}

export async function updateView(
  collection: string,
  id: string,
  input: { name?: string; kind?: ViewKind; config?: ViewConfig; position?: number },
  actor: string
): Promise<CollectionView> {
  const model = await collectionModel(collection)
  parseViewId(collection, id)
  const row = await nameTaken(collection, input.name ?? '', () =>
    withTenantDb(async (trx) => {
      const before = await trx
        .from('collection_views')
        .where({ collection, id })
        .forUpdate()
        .first()
      if (!before) throw new E_VIEW_NOT_FOUND([collection, id])
      const kind = input.kind ?? before.kind
      const config = input.config ?? before.config ?? {}
      checkView(collection, model, kind, config)
      const changes: Row = { updated_at: new Date(), kind, config: JSON.stringify(config) }
      if (input.name !== undefined) changes.name = input.name
      if (input.position !== undefined) changes.position = input.position
      const [updated] = await trx
        .from('collection_views')
        .where({ collection, id })
        .update(changes)
        .returning(COLUMNS)
      await audit(trx, actor, 'update', updated, { ...input })
      return updated
    })
  )
  return present(row)
}

export async function deleteView(collection: string, id: string, actor: string) {
  await collectionModel(collection)
  parseViewId(collection, id)
  await withTenantDb(async (trx) => {
    const [deleted] = await trx
      .from('collection_views')
      .where({ collection, id })
      .delete()
      .returning(COLUMNS)
    if (!deleted) throw new E_VIEW_NOT_FOUND([collection, id])
    await audit(trx, actor, 'delete', deleted, { name: deleted.name })
  })
  return { id, deleted: true }
}

/* Reading a view's records */

/** What a reader may add to a view's query, by kind; anything else is refused. */
const READER_PARAMS: Record<ViewKind, ReadonlySet<string>> = {
  list: new Set(['page', 'per_page', 'cursor', 'search']),
  gallery: new Set(['page', 'per_page', 'cursor', 'search']),
  board: new Set(['per_page', 'search']),
  calendar: new Set(['from', 'to', 'search']),
}

function readerParams(kind: ViewKind, queryString: string | null | undefined) {
  const params = new URLSearchParams(queryString ?? '')
  const details: Detail[] = []
  const seen = new Set<string>()
  for (const key of params.keys()) {
    if (seen.has(key))
      details.push({ field: key, rule: 'repeated', message: `${key} is given more than once` })
    seen.add(key)
    if (!READER_PARAMS[kind].has(key) && !key.startsWith('filter['))
      details.push({
        field: key,
        rule: 'unknown_parameter',
        message: `A ${kind} view takes no parameter ${key}`,
      })
  }
  if (details.length) invalid(details)
  return params
}

/** The view's own query (filters, sort, fields) with the reader's parameters (filters, search, paging). */
function queryOf(view: ResolvedView, fields: string[] | undefined, reader: URLSearchParams) {
  let query = listQueryString({
    filters: view.filters,
    sort: view.sort,
    fields: fields?.length ? fields : undefined,
  })
  const extra: Record<string, string> = {}
  for (const [key, value] of reader) if (key !== 'from' && key !== 'to') extra[key] = value
  if (Object.keys(extra).length) query = withParams(query, extra)
  return query
}

/** The fields a kind needs on top of those the view shows (only when it names some). */
function shownFields(view: ResolvedView, ...needed: Array<string | undefined>) {
  if (!view.fields?.length) return undefined
  return [...new Set([...view.fields, ...needed.filter((name): name is string => !!name)])]
}

async function boardColumns(
  collection: string,
  model: ResourceModel,
  view: ResolvedView,
  principal: ResourcePrincipal,
  reader: URLSearchParams
) {
  const field = model.fields.get(view.group_by!)!
  const perPage = reader.get('per_page') ?? String(BOARD_PER_COLUMN)
  reader.delete('per_page')
  const base = queryOf(view, shownFields(view, field.name), reader)
  const values: Array<string | null> = [...(field.definition.values ?? []), null]
  return Promise.all(
    values.map(async (value) => {
      const query = withParams(base, {
        per_page: perPage,
        ...(value === null
          ? { [`filter[${field.name}][null]`]: 'true' }
          : { [`filter[${field.name}][eq]`]: value }),
      })
      const { data, pagination } = await collectionRecords.list(collection, principal, query)
      return { value, count: pagination.total ?? data.length, records: data }
    })
  )
}

function calendarRange(reader: URLSearchParams) {
  const zone = tenantZone()
  const from = reader.get('from')
  const to = reader.get('to')
  const details: Detail[] = []
  for (const [key, value] of [
    ['from', from],
    ['to', to],
  ] as const)
    if (!value || !/^\d{4}-\d{2}-\d{2}$/.test(value) || !DateTime.fromISO(value).isValid)
      details.push({ field: key, rule: 'date', message: `${key} must be a day as YYYY-MM-DD` })
  if (details.length) invalid(details)
  const start = DateTime.fromISO(from!, { zone })
  const end = DateTime.fromISO(to!, { zone }).plus({ days: 1 })
  if (end <= start) invalid([{ field: 'to', rule: 'after', message: 'to must not be before from' }])
  if (end.diff(start, 'days').days > CALENDAR_MAX_DAYS)
    invalid([
      {
        field: 'to',
        rule: 'range',
        message: `Ask for at most ${CALENDAR_MAX_DAYS} days at a time`,
      },
    ])
  return { from: from!, to: to!, zone, start, end }
}

async function calendarEntries(
  collection: string,
  model: ResourceModel,
  view: ResolvedView,
  principal: ResourcePrincipal,
  reader: URLSearchParams
) {
  const range = calendarRange(reader)
  const field = model.fields.get(view.date_field!)!
  const bounds =
    field.type === 'date'
      ? { [`filter[${field.name}][gte]`]: range.from, [`filter[${field.name}][lte]`]: range.to }
      : {
          [`filter[${field.name}][gte]`]: range.start.toUTC().toISO()!,
          [`filter[${field.name}][lt]`]: range.end.toUTC().toISO()!,
        }
  const base = withParams(
    queryOf({ ...view, sort: undefined }, shownFields(view, field.name, view.title_field), reader),
    { ...bounds, sort: field.name, per_page: '100' }
  )
  const records: Array<Record<string, unknown>> = []
  const days = new Map<string, string[]>()
  let cursor = ''
  let truncated = false
  for (;;) {
    const page = await collectionRecords.list(collection, principal, withParams(base, { cursor }))
    for (const record of page.data) {
      const value = record[field.name]
      if (value === null || value === undefined) continue
      if (records.length === CALENDAR_MAX_RECORDS) {
        truncated = true
        break
      }
      const day = field.type === 'date' ? isoDate(value) : tenantDate(value as string)
      records.push(record)
      days.set(day, [...(days.get(day) ?? []), String(record.id)])
    }
    const next = (page.pagination as Pagination).next_cursor
    if (truncated || !next) break
    cursor = next
  }
  return {
    from: range.from,
    to: range.to,
    time_zone: range.zone,
    records,
    days: [...days].map(([day, ids]) => ({ day, ids })),
    truncated,
  }
}

/**
 * The records of a view as `principal` may see them: a page of records (list,
 * gallery), the board's columns in the enum's order with their counts and a
 * last "no value" column, or a calendar's records between two days of the
 * tenant with the ids on each day (days of its time zone).
 */
export async function viewRecords(
  collection: string,
  id: string,
  principal: ResourcePrincipal,
  queryString: string | null | undefined
): Promise<{ data: Record<string, unknown>; pagination?: Pagination }> {
  const model = await collectionModel(collection)
  const stored = await findView(collection, id)
  const view = checkView(collection, model, stored.kind, stored.config)
  const reader = readerParams(stored.kind, queryString)
  const shown = { ...stored, config: view }
  switch (stored.kind) {
    case 'board':
      return {
        data: {
          view: shown,
          group_by: view.group_by,
          columns: await boardColumns(collection, model, view, principal, reader),
        },
      }
    case 'calendar':
      return {
        data: {
          view: shown,
          ...(await calendarEntries(collection, model, view, principal, reader)),
        },
      }
    case 'list':
    case 'gallery': {
      const fields =
        stored.kind === 'gallery'
          ? shownFields(view, view.title_field, view.image_field)
          : view.fields
      const { data, pagination } = await collectionRecords.list(
        collection,
        principal,
        queryOf(view, fields, reader)
      )
      return { data: { view: shown, records: data }, pagination }
    }
  }
}
