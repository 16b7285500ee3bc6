import type { HttpContext } from '@adonisjs/core/http'
import type { QueryClientContract, TransactionClientContract } from '@adonisjs/lucid/types/database'
import { E_FORBIDDEN, E_RECORD_IN_USE, E_RECORD_NOT_FOUND, E_VALIDATION } from '../errors.js'
import { diffRecords, recordAudit } from '../audit/audit.js'
import { emitEvent } from '../events/events.js'
import { actorOf } from '../rbac/authorize.js'
import { tenantContext } from '../tenancy/context.js'
import { readTenantDb, withTenantDb } from '../tenancy/tenant_db.js'
import type { Pagination } from '../http/envelope.js'
import type {
  HookContext,
  ResourceAction,
  ResourcePrincipal,
  ResourceRecord,
} from './define_resource.js'
import { rowCondition, visibilityKey, visibilityOf, type RowCondition } from './access.js'
import type { ResourceCatalog } from './catalog.js'
import { customFieldsOf, type ResourceCustomFields } from './custom_fields.js'
import { USERS_TARGET, type ResourceModel } from './model.js'
import { uniqueConflict } from './unique_violation.js'
import {
  encodeCursor,
  listStatement,
  parseListQuery,
  parseShowQuery,
  present,
  presentRows,
  projectionOf,
  sortKeyAlias,
  tableOf,
  TOTAL,
  whereOf,
  type Detail,
  type ListQuery,
  type Projection,
} from './query.js'
import { columnOfConstraintError, ident, PG, selectRows, type PgError } from './sql.js'

/** Who asks, and from where (for audit entries and hooks). */
export type CallOrigin = {
  principal: ResourcePrincipal
  requestId?: string | null
  ctx?: HttpContext
}

type Row = Record<string, unknown>

const EVERYONE: ResourcePrincipal = { kind: 'platform', id: 'platform', roles: [], can: () => true }

function schemaName() {
  return tenantContext.require().schema_name
}

function invalid(details: Detail[]): never {
  throw new E_VALIDATION([], { details })
}

/** A record id from a URL: a positive bigint, else the record cannot exist. */
function parseId(model: ResourceModel, id: string) {
  if (!/^\d{1,19}$/.test(id) || BigInt(id) > 9_223_372_036_854_775_807n || BigInt(id) < 1n)
    throw new E_RECORD_NOT_FOUND([model.key, id])
  return id
}

/**
 * The CRUD behind every resource route, usable from HTTP, the CLI and jobs
 * alike: permission checks, row rules, field visibility, validation, hooks,
 * audit entries and events. Reads are one statement on schema-qualified
 * tables; writes run in one tenant transaction with their hooks.
 */
export class ResourceService {
  /** Projections by resource, visible fields and `fields=`: built once, reused by every request. */
  #projections = new Map<string, Projection>()
  #full = new Map<string, Projection>()

  constructor(private catalog: ResourceCatalog) {}

  #allow(model: ResourceModel, principal: ResourcePrincipal, action: ResourceAction) {
    const permission = model.permissions[action]
    if (permission === false)
      throw new E_FORBIDDEN([`${model.key} does not allow ${action} through the API`])
    if (!principal.can(permission))
      throw new E_FORBIDDEN([`this needs the ${permission} permission`])
  }

  #projection(
    model: ResourceModel,
    principal: ResourcePrincipal,
    fields: Set<string> | null,
    include: string[]
  ) {
    const key = `${model.key}|${visibilityKey(model, principal)}|${fields ? [...fields].join(',') : '*'}|${include.join(',')}`
    let projection = this.#projections.get(key)
    if (!projection) {
      projection = projectionOf(model, principal, fields, include)
      // Bounded: the distinct `fields=` values clients send are few, but not trusted to be.
      if (this.#projections.size < 1000) this.#projections.set(key, projection)
    }
    return projection
  }

  /** Every column, unmasked: what hooks, audit entries and events see. */
  #fullProjection(model: ResourceModel) {
    let projection = this.#full.get(model.key)
    if (!projection) {
      projection = projectionOf(model, EVERYONE, null)
      this.#full.set(model.key, projection)
    }
    return projection
  }

  #checkIncludes(model: ResourceModel, principal: ResourcePrincipal, include: string[]) {
    for (const name of include) {
      const { field, target } = model.includes.get(name)!
      if (visibilityOf(field, principal) !== 'value')
        throw new E_FORBIDDEN([
          `including ${name} needs the ${field.sensitive!.permission} permission`,
        ])
      const targetModel = this.catalog.get(target)
      if (targetModel) this.#allow(targetModel, principal, 'read')
    }
  }

  /** Embeds referenced records: one query per include, whatever the number of rows. */
  async #attach(
    client: QueryClientContract,
    model: ResourceModel,
    principal: ResourcePrincipal,
    rows: Row[],
    records: Row[],
    include: string[]
  ) {
    const schema = schemaName()
    for (const name of include) {
      const { field, target } = model.includes.get(name)!
      const ids = [...new Set(rows.map((row) => row[field.name]).filter((id) => id !== null))]
      const byId = new Map<string, Row>()
      if (ids.length) {
        const marks = ids.map(() => '?').join(', ')
        if (target === USERS_TARGET) {
          const users = await selectRows(
            client,
            `SELECT t."id", t."name" FROM ${ident(schema)}."users" AS t WHERE t."id" IN (${marks})`,
            ids
          )
          for (const user of users) byId.set(user.id, { id: user.id, name: user.name })
        } else {
          const targetModel = this.catalog.get(target)!
          const projection = this.#projection(targetModel, principal, null, [])
          const rule = await rowCondition(targetModel, principal, schema)
          const found = await selectRows(
            client,
            `SELECT ${projection.select} FROM ${tableOf(targetModel, schema)} WHERE t."id" IN (${marks})${rule ? ` AND ${rule.sql}` : ''}`,
            [...ids, ...(rule?.bindings ?? [])]
          )
          for (const row of found) byId.set(row.id, present(row, projection))
        }
      }
      rows.forEach((row, index) => {
        records[index][name] = byId.get(row[field.name] as string) ?? null
      })
    }
  }

  /** A page of records, with the pagination meta of its mode. */
  async list(model: ResourceModel, principal: ResourcePrincipal, queryString?: string | null) {
    this.#allow(model, principal, 'list')
    const custom = await customFieldsOf(model)
    const query = parseListQuery(model, queryString, custom, principal)
    this.#checkIncludes(model, principal, query.include)
    const schema = schemaName()
    const rule = await rowCondition(model, principal, schema)
    const projection = this.#projection(model, principal, query.fields, query.include)
    return readTenantDb(async (client) => {
      const statement = listStatement(model, query, projection, schema, rule)
      const rows = await selectRows(client, statement.sql, statement.bindings)
      const pagination = await this.#pagination(client, model, query, rows, schema, rule)
      const hidden =
        query.mode === 'page' ? [TOTAL] : query.sort.map((_, index) => sortKeyAlias(index))
      const records = presentRows(rows, projection, hidden)
      if (query.include.length)
        await this.#attach(client, model, principal, rows, records, query.include)
      return { data: records, pagination }
    })
  }

  async #pagination(
    client: QueryClientContract,
    model: ResourceModel,
    query: ListQuery,
    rows: Row[],
    schema: string,
    rule: RowCondition
  ): Promise<Pagination> {
    if (query.mode === 'cursor') {
      const more = rows.length > query.perPage
      if (more) rows.pop()
      const last = rows.at(-1)
      return {
        per_page: query.perPage,
        next_cursor:
          more && last
            ? encodeCursor(
                query.sortSignature,
                query.sort.map((_, index) => last[sortKeyAlias(index)] as string | null)
              )
            : null,
      }
    }
    let total: number
    if (rows.length) total = Number(rows[0][TOTAL])
    else if (query.page === 1) total = 0
    else {
      // Past the last page the window count has no row to ride on.
      const where = whereOf(model, query, rule)
      const counted = await selectRows(
        client,
        `SELECT count(*) AS total FROM ${tableOf(model, schema)}${where.sql}`,
        where.bindings
      )
      total = Number(counted[0].total)
    }
    return {
      page: query.page,
      per_page: query.perPage,
      total,
      last_page: Math.max(1, Math.ceil(total / query.perPage)),
    }
  }

  /** One record, or ERR_RECORD_NOT_FOUND (also when row rules hide it). */
  async show(
    model: ResourceModel,
    principal: ResourcePrincipal,
    id: string,
    queryString?: string | null
  ) {
    this.#allow(model, principal, 'read')
    parseId(model, id)
    const query = parseShowQuery(model, queryString)
    this.#checkIncludes(model, principal, query.include)
    const schema = schemaName()
    const rule = await rowCondition(model, principal, schema)
    const projection = this.#projection(model, principal, query.fields, query.include)
    return readTenantDb(async (client) => {
      const rows = await selectRows(
        client,
        `SELECT ${projection.select} FROM ${tableOf(model, schema)} WHERE t."id" = ?${rule ? ` AND ${rule.sql}` : ''}`,
        [id, ...(rule?.bindings ?? [])]
      )
      if (!rows.length) throw new E_RECORD_NOT_FOUND([model.key, id])
      const records = rows.map((row) => present(row, projection))
      if (query.include.length)
        await this.#attach(client, model, principal, rows, records, query.include)
      return records[0]
    })
  }

  /**
   * Checks a body: no unknown or read-only fields, values of the declared
   * types and constraints, custom fields under `custom`, sensitive fields only
   * from principals who may see them.
   */
  async #validate(
    model: ResourceModel,
    principal: ResourcePrincipal,
    body: unknown,
    action: 'create' | 'update',
    custom: ResourceCustomFields
  ) {
    if (!body || typeof body !== 'object' || Array.isArray(body))
      invalid([{ field: '', rule: 'object', message: 'The body must be a JSON object' }])
    const input = { ...(body as Row) }
    const details: Detail[] = []
    const customInput = input.custom
    delete input.custom
    for (const name of Object.keys(input)) {
      const field = model.fields.get(name)
      if (!field)
        details.push({
          field: name,
          rule: 'unknown_field',
          message: `${model.key} has no field "${name}"`,
        })
      else if (!field.writable)
        details.push({ field: name, rule: 'read_only', message: `${name} is read-only` })
      else if (input[name] === null && field.definition.options.required)
        details.push({ field: name, rule: 'required', message: `${name} cannot be null` })
      else if (visibilityOf(field, principal) !== 'value')
        details.push({
          field: name,
          rule: 'forbidden_field',
          message: `Setting ${name} needs the ${field.sensitive!.permission} permission`,
        })
    }
    if (customInput !== undefined) {
      if (!model.customFields)
        details.push({
          field: 'custom',
          rule: 'unknown_field',
          message: `${model.key} takes no custom fields`,
        })
      else if (!customInput || typeof customInput !== 'object' || Array.isArray(customInput))
        details.push({ field: 'custom', rule: 'object', message: 'custom must be an object' })
      else
        for (const name of Object.keys(customInput))
          if (!custom.fields.has(`custom.${name}`))
            details.push({
              field: `custom.${name}`,
              rule: 'unknown_field',
              message: `No custom field "${name}"`,
            })
          else if (
            (customInput as Row)[name] === null &&
            custom.fields.get(`custom.${name}`)!.definition.options.required
          )
            details.push({
              field: `custom.${name}`,
              rule: 'required',
              message: `${name} cannot be null`,
            })
    }
    if (details.length) invalid(details)

    const results = await Promise.allSettled([
      model.validators[action].validate(input),
      custom.list.length && (customInput !== undefined || action === 'create')
        ? custom.validators[action].validate(customInput ?? {})
        : Promise.resolve(undefined),
    ])
    for (const [index, result] of results.entries()) {
      if (result.status === 'fulfilled') continue
      const error = result.reason as { code?: string; messages?: Detail[] }
      if (error?.code !== 'E_VALIDATION_ERROR') throw result.reason
      for (const message of error.messages ?? [])
        details.push(index === 0 ? message : { ...message, field: `custom.${message.field}` })
    }
    if (details.length) invalid(details)
    const data = Object.fromEntries(
      Object.entries((results[0] as PromiseFulfilledResult<Row>).value).filter(
        ([, value]) => value !== undefined
      )
    )
    const customData = (results[1] as PromiseFulfilledResult<Row | undefined>).value
    return {
      data,
      custom: customData
        ? Object.fromEntries(Object.entries(customData).filter(([, value]) => value !== undefined))
        : undefined,
    }
  }

  /** References must name existing records (checked in the transaction of the write). */
  async #checkReferences(trx: TransactionClientContract, model: ResourceModel, data: Row) {
    const schema = schemaName()
    const details: Detail[] = []
    for (const { field, target } of model.references) {
      const id = data[field.name]
      if (id === undefined || id === null) continue
      const table = target === USERS_TARGET ? 'users' : this.catalog.get(target)!.table
      const rows = await selectRows(
        trx,
        `SELECT 1 FROM ${ident(schema)}.${ident(table)} WHERE "id" = ? LIMIT 1`,
        [id]
      )
      if (!rows.length)
        details.push({
          field: field.name,
          rule: 'reference',
          message: `No ${target} record with id "${id}"`,
        })
    }
    if (details.length) invalid(details)
  }

  /** Translates constraint failures of a write into catalog errors. */
  #constraintError(model: ResourceModel, error: unknown, action: ResourceAction): unknown {
    const pg = error as PgError
    const column = columnOfConstraintError(pg)
    switch (pg.code) {
      case PG.uniqueViolation:
        return uniqueConflict(pg)
      case PG.restrictViolation:
      case PG.foreignKeyViolation:
        if (action === 'delete') {
          return new E_RECORD_IN_USE([model.key], {
            details: [{ referenced_from: this.#resourceOfTable(pg.table) ?? pg.table ?? null }],
          })
        }
        return new E_VALIDATION([], {
          details: [
            {
              field: column ?? '',
              rule: 'reference',
              message: 'The referenced record does not exist',
            },
          ],
        })
      case PG.notNullViolation:
        return new E_VALIDATION([], {
          details: [
            {
              field: pg.column ?? '',
              rule: 'required',
              message: 'This field is required',
            },
          ],
        })
      case PG.checkViolation:
      case PG.invalidText:
      case PG.outOfRange:
        return new E_VALIDATION([], {
          details: [
            {
              field: column ?? '',
              rule: 'value',
              message: 'A value is out of range or of the wrong form',
            },
          ],
        })
      default:
        return error
    }
  }

  #resourceOfTable(table?: string) {
    return table ? this.catalog.all().find((model) => model.table === table)?.key : undefined
  }

  /** The full record, locked for the change, or ERR_RECORD_NOT_FOUND when it is not there or hidden by row rules. */
  async #lock(
    trx: TransactionClientContract,
    model: ResourceModel,
    principal: ResourcePrincipal,
    id: string
  ) {
    const schema = schemaName()
    const rule = await rowCondition(model, principal, schema)
    const rows = await selectRows(
      trx,
      `SELECT ${this.#fullProjection(model).select} FROM ${tableOf(model, schema)} WHERE t."id" = ?${rule ? ` AND ${rule.sql}` : ''} FOR UPDATE OF t`,
      [id, ...(rule?.bindings ?? [])]
    )
    if (!rows.length) throw new E_RECORD_NOT_FOUND([model.key, id])
    return { record: present(rows[0], this.#fullProjection(model)) as ResourceRecord, rule }
  }

  /** After a create or update, the record must still be one the principal's row rules reach. */
  async #staysReachable(
    trx: TransactionClientContract,
    model: ResourceModel,
    id: string,
    rule: RowCondition
  ) {
    if (!rule) return
    const rows = await selectRows(
      trx,
      `SELECT 1 FROM ${tableOf(model, schemaName())} WHERE t."id" = ? AND ${rule.sql}`,
      [id, ...rule.bindings]
    )
    if (!rows.length)
      throw new E_FORBIDDEN(['the record would fall outside the rows your role may change'])
  }

  /** Column values as PostgreSQL takes them: json fields serialized (arrays would become SQL arrays). */
  #columns(model: ResourceModel, data: Row) {
    const columns: string[] = []
    const values: unknown[] = []
    for (const [name, value] of Object.entries(data)) {
      const field = model.fields.get(name)
      if (!field || field.type === 'id' || field.type === 'timestamp')
        throw new Error(`A hook of ${model.key} set "${name}", which is not a field`)
      columns.push(ident(name))
      values.push(field.type === 'json' && value !== null ? JSON.stringify(value) : value)
    }
    return { columns, values }
  }

  #hook(model: ResourceModel, trx: TransactionClientContract, origin: CallOrigin): HookContext {
    return { trx, principal: origin.principal, resource: model.key, ctx: origin.ctx }
  }

  async #audit(
    trx: TransactionClientContract,
    model: ResourceModel,
    origin: CallOrigin,
    verb: 'create' | 'update' | 'delete',
    id: string,
    data: Record<string, unknown>
  ) {
    await recordAudit(trx, {
      actor: actorOf(origin.principal),
      action: `${model.key}.${verb}`,
      subject: `${model.key}:${id}`,
      data,
      request_id: origin.requestId ?? null,
    })
  }

  async create(model: ResourceModel, body: unknown, origin: CallOrigin) {
    const { principal } = origin
    this.#allow(model, principal, 'create')
    const custom = await customFieldsOf(model)
    const input = await this.#validate(model, principal, body, 'create', custom)
    const full = this.#fullProjection(model)
    const schema = schemaName()
    const record = await withTenantDb(async (trx) => {
      const hook = this.#hook(model, trx, origin)
      let data: Row = input.data
      const changed = await model.hooks.beforeCreate?.(data, hook)
      if (changed && typeof changed === 'object') data = changed as Row
      await this.#checkReferences(trx, model, data)
      const { columns, values } = this.#columns(model, data)
      if (model.customFields) {
        columns.push('"custom"')
        values.push(JSON.stringify(input.custom ?? {}))
      }
      let rows: Row[]
      try {
        rows = await selectRows(
          trx,
          columns.length
            ? `INSERT INTO ${tableOf(model, schema)} (${columns.join(', ')}) VALUES (${values.map(() => '?').join(', ')}) RETURNING ${full.select}`
            : `INSERT INTO ${tableOf(model, schema)} DEFAULT VALUES RETURNING ${full.select}`,
          values
        )
      } catch (error) {
        throw this.#constraintError(model, error, 'create')
      }
      const created = present(rows[0], full) as ResourceRecord
      await this.#staysReachable(
        trx,
        model,
        created.id,
        await rowCondition(model, principal, schema)
      )
      await model.hooks.afterCreate?.(created, hook)
      await this.#audit(trx, model, origin, 'create', created.id, diffRecords({}, created))
      await emitEvent(
        `${model.key}.created`,
        { resource: model.key, id: created.id, record: created },
        actorOf(principal)
      )
      return created
    })
    return present(record, this.#projection(model, principal, null, []))
  }

  async update(model: ResourceModel, id: string, body: unknown, origin: CallOrigin) {
    const { principal } = origin
    this.#allow(model, principal, 'update')
    parseId(model, id)
    const custom = await customFieldsOf(model)
    const input = await this.#validate(model, principal, body, 'update', custom)
    const full = this.#fullProjection(model)
    const schema = schemaName()
    const record = await withTenantDb(async (trx) => {
      const { record: before, rule } = await this.#lock(trx, model, principal, id)
      const hook = this.#hook(model, trx, origin)
      let changes: Row = input.data
      const changed = await model.hooks.beforeUpdate?.(changes, before, hook)
      if (changed && typeof changed === 'object') changes = changed as Row
      if (!Object.keys(changes).length && !input.custom) return before
      await this.#checkReferences(trx, model, changes)
      const { columns, values } = this.#columns(model, changes)
      const assignments = columns.map((column) => `${column} = ?`)
      if (input.custom) {
        // Merged into what the row holds; a custom field set to null is removed.
        assignments.push(`"custom" = jsonb_strip_nulls(t."custom" || ?::jsonb)`)
        values.push(JSON.stringify(input.custom))
      }
      assignments.push(`"updated_at" = now()`)
      let rows: Row[]
      try {
        rows = await selectRows(
          trx,
          `UPDATE ${tableOf(model, schema)} SET ${assignments.join(', ')} WHERE t."id" = ? RETURNING ${full.select}`,
          [...values, id]
        )
      } catch (error) {
        throw this.#constraintError(model, error, 'update')
      }
      const after = present(rows[0], full) as ResourceRecord
      await this.#staysReachable(trx, model, id, rule)
      await model.hooks.afterUpdate?.(after, before, hook)
      const diff = diffRecords(before, after)
      delete diff.before.updated_at
      delete diff.after.updated_at
      await this.#audit(trx, model, origin, 'update', id, diff)
      await emitEvent(
        `${model.key}.updated`,
        { resource: model.key, id, record: after, changes: diff },
        actorOf(principal)
      )
      return after
    })
    return present(record, this.#projection(model, principal, null, []))
  }

  async delete(model: ResourceModel, id: string, origin: CallOrigin) {
    const { principal } = origin
    this.#allow(model, principal, 'delete')
    parseId(model, id)
    const schema = schemaName()
    await withTenantDb(async (trx) => {
      const { record } = await this.#lock(trx, model, principal, id)
      const hook = this.#hook(model, trx, origin)
      await model.hooks.beforeDelete?.(record, hook)
      try {
        await selectRows(trx, `DELETE FROM ${tableOf(model, schema)} WHERE t."id" = ?`, [id])
      } catch (error) {
        throw this.#constraintError(model, error, 'delete')
      }
      await model.hooks.afterDelete?.(record, hook)
      await this.#audit(trx, model, origin, 'delete', id, { before: record, after: {} })
      await emitEvent(
        `${model.key}.deleted`,
        { resource: model.key, id, record },
        actorOf(principal)
      )
    })
    return { id, deleted: true }
  }
}
