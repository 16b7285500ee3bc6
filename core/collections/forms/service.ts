import type { TransactionClientContract } from '@adonisjs/lucid/types/database'
import limiter from '@adonisjs/limiter/services/main'
import { errors as limiterErrors } from '@adonisjs/limiter'
import { recordAudit } from '../../audit/audit.js'
import { E_RATE_LIMITED } from '../../errors.js'
import { OryneError } from '../../oryne_error.js'
import type { ResourcePrincipal } from '../../resources/define_resource.js'
import type { ResourceModel } from '../../resources/model.js'
import type { CallOrigin } from '../../resources/resource_service.js'
import { PG, type PgError } from '../../resources/sql.js'
import { tenantContext } from '../../tenancy/context.js'
import { readTenantDb, withTenantDb } from '../../tenancy/tenant_db.js'
import { E_COLLECTION_NOT_FOUND } from '../errors.js'
import { collectionRecords } from '../records.js'
import { collectionModel } from '../registry.js'
import {
  acceptValues,
  checkForm,
  renderedSections,
  settingsOf,
  type EffectiveSettings,
} from './design.js'
import {
  E_FORM_CLOSED,
  E_FORM_EXISTS,
  E_FORM_HONEYPOT,
  E_FORM_NOT_FOUND,
  E_FORM_TOKEN_INVALID,
  E_FORM_TOO_FAST,
} from './errors.js'
import { checkFormToken, formToken } from './token.js'
import type { FormSection, FormSettings } from './validators.js'

/*
 * Forms of a collection (docs/collections.md, "Forms"): sections of the
 * collection's fields with labels, help and conditions. Signed-in people
 * submit with their own permissions; a public form takes submissions from
 * anyone, behind a rate limit per address, a honeypot field and a signed
 * "opened at" token with a minimum fill time. Every submission becomes a
 * record through collectionRecords.create (validation, audit, events, and so
 * automations), a public one with the form itself as the actor.
 */

type Row = Record<string, any>

export type CollectionForm = {
  id: string
  collection: string
  slug: string
  title: string
  description: string | null
  public: boolean
  sections: FormSection[]
  settings: EffectiveSettings
  submissions: number
  created_at: string
  updated_at: string
}

const COLUMNS = [
  'id',
  'collection',
  'slug',
  'title',
  'description',
  'public',
  'sections',
  'settings',
  'submissions',
  'created_at',
  'updated_at',
]

function present(row: Row): CollectionForm {
  return {
    id: String(row.id),
    collection: row.collection,
    slug: row.slug,
    title: row.title,
    description: row.description ?? null,
    public: row.public,
    sections: row.sections,
    settings: settingsOf(row.settings),
    submissions: row.submissions,
    created_at: new Date(row.created_at).toISOString(),
    updated_at: new Date(row.updated_at).toISOString(),
  }
}

/** Who a public form's submissions come from: the form, allowed to create in its collection. */
export function formPrincipal(slug: string): ResourcePrincipal {
  return { kind: 'platform', id: `public_form:${slug}`, roles: [], can: () => true }
}

function parseFormId(collection: string, id: string) {
  if (!/^\d{1,18}$/.test(id)) throw new E_FORM_NOT_FOUND([`${collection}/${id}`])
  return id
}

async function audit(
  trx: TransactionClientContract,
  actor: string,
  verb: string,
  form: Row,
  data: Record<string, unknown>
) {
  await recordAudit(trx, {
    actor,
    action: `core.collections.forms.${verb}`,
    resource: `collections.${form.collection}.forms`,
    resource_id: String(form.id),
    data,
  })
}

async function slugTaken<T>(slug: string | undefined, write: () => Promise<T>) {
  try {
    return await write()
  } catch (error) {
    if ((error as PgError).code === PG.uniqueViolation) throw new E_FORM_EXISTS([slug ?? ''])
    throw error
  }
}

/* The admin's forms */

export async function listForms(collection: string): Promise<CollectionForm[]> {
  await collectionModel(collection)
  const rows = await readTenantDb((client, table) =>
    client
      .from(table('collection_forms'))
      .where('collection', collection)
      .orderBy('id')
      .select(COLUMNS)
  )
  return rows.map(present)
}

export type FormInput = {
  slug: string
  title: string
  description?: string | null
  public?: boolean
  sections: FormSection[]
  settings?: FormSettings
}

export async function createForm(
  collection: string,
  input: FormInput,
  actor: string
): Promise<CollectionForm> {
  const model = await collectionModel(collection)
  checkForm(collection, model, input.sections, input.public === true)
  const row = await slugTaken(input.slug, () =>
    withTenantDb(async (trx) => {
      const [inserted] = await trx
        .insertQuery()
        .table('collection_forms')
        .insert({
          collection,
          slug: input.slug,
          title: input.title,
          description: input.description ?? null,
          public: input.public === true,
          sections: JSON.stringify(input.sections),
          settings: JSON.stringify(input.settings ?? {}),
        })
        .returning(COLUMNS)
      await audit(trx, actor, 'create', inserted, { slug: input.slug, public: inserted.public })
      return inserted
    })
  )
  return present(row)
}

export async function updateForm(
  collection: string,
  id: string,
  input: Partial<FormInput>,
  actor: string
): Promise<CollectionForm> {
  const model = await collectionModel(collection)
  parseFormId(collection, id)
  const row = await slugTaken(input.slug, () =>
    withTenantDb(async (trx) => {
      const before = await trx
        .from('collection_forms')
        .where({ collection, id })
        .forUpdate()
        .first()
      if (!before) throw new E_FORM_NOT_FOUND([`${collection}/${id}`])
      const sections = input.sections ?? before.sections
      const isPublic = input.public ?? before.public
      checkForm(collection, model, sections, isPublic)
      const changes: Row = {
        updated_at: new Date(),
        sections: JSON.stringify(sections),
        public: isPublic,
        settings: JSON.stringify({ ...before.settings, ...input.settings }),
      }
      if (input.slug !== undefined) changes.slug = input.slug
      if (input.title !== undefined) changes.title = input.title
      if (input.description !== undefined) changes.description = input.description
      const [updated] = await trx
        .from('collection_forms')
        .where({ collection, id })
        .update(changes)
        .returning(COLUMNS)
      await audit(trx, actor, 'update', updated, { ...input })
      return updated
    })
  )
  return present(row)
}

export async function deleteForm(collection: string, id: string, actor: string) {
  await collectionModel(collection)
  parseFormId(collection, id)
  await withTenantDb(async (trx) => {
    const [deleted] = await trx
      .from('collection_forms')
      .where({ collection, id })
      .delete()
      .returning(COLUMNS)
    if (!deleted) throw new E_FORM_NOT_FOUND([`${collection}/${id}`])
    await audit(trx, actor, 'delete', deleted, { slug: deleted.slug })
  })
  return { id, deleted: true }
}

/* Filling a form in */

async function formBySlug(slug: string): Promise<Row> {
  const row = await readTenantDb((client, table) =>
    client.from(table('collection_forms')).where('slug', slug).select(COLUMNS).first()
  )
  if (!row) throw new E_FORM_NOT_FOUND([slug])
  return row
}

function rendered(form: Row, model: ResourceModel) {
  const settings = settingsOf(form.settings)
  return {
    slug: form.slug as string,
    title: form.title as string,
    description: (form.description ?? null) as string | null,
    public: form.public as boolean,
    sections: renderedSections(model, form.sections),
    success_message: settings.success_message,
  }
}

function refuseClosed(form: Row) {
  if (settingsOf(form.settings).open === false)
    throw new E_FORM_CLOSED([form.slug], { details: { reason: 'closed' } })
}

/** Details of the record's fields (invalid, or a unique value taken), named as the submission named them: `values.<field>`. */
function underValues(error: unknown) {
  if (
    error instanceof OryneError &&
    (error.code === 'ERR_VALIDATION' || error.code === 'ERR_CONFLICT') &&
    Array.isArray(error.details)
  )
    error.details = error.details.map((detail: Row) => ({
      ...detail,
      field: detail.field ? `values.${detail.field}` : 'values',
    }))
  return error
}

/**
 * Admits one submission: counts it against max_submissions and creates the
 * record in one tenant transaction, so a refused record takes no place and
 * two submissions never both take the last one.
 */
async function admit(
  form: Row,
  model: ResourceModel,
  values: Record<string, unknown>,
  origin: CallOrigin
) {
  const accepted = acceptValues(model, form.sections, values)
  return withTenantDb(async (trx) => {
    const counted = await trx.rawQuery(
      `UPDATE "collection_forms" SET "submissions" = "submissions" + 1
        WHERE "id" = ? AND ("settings"->>'max_submissions' IS NULL
          OR "submissions" < ("settings"->>'max_submissions')::int)
        RETURNING "submissions"`,
      [form.id]
    )
    if (!counted.rows.length) throw new E_FORM_CLOSED([form.slug], { details: { reason: 'full' } })
    try {
      return await collectionRecords.create(form.collection, accepted, origin)
    } catch (error) {
      throw underValues(error)
    }
  })
}

/* Signed in */

/**
 * The form of a collection as a signed-in caller may use it: with the
 * collection's create permission, or any signed-in person when the form is
 * public. `own`: the record is created with the caller's own permissions.
 */
export async function signedInForm(collection: string, slug: string, principal: ResourcePrincipal) {
  const model = await collectionModel(collection)
  const form = await formBySlug(slug)
  if (form.collection !== collection) throw new E_FORM_NOT_FOUND([slug])
  const permission = model.permissions.create || `${model.key}.create`
  const own = principal.can(permission)
  if (!own && !form.public) return { model, form, own, refused: permission }
  return { model, form, own, refused: null }
}

export function showForm(form: Row, model: ResourceModel) {
  return rendered(form, model)
}

export async function submitSignedIn(
  form: Row,
  model: ResourceModel,
  own: boolean,
  values: Record<string, unknown>,
  origin: CallOrigin
) {
  refuseClosed(form)
  const message = settingsOf(form.settings).success_message
  if (!own) {
    await admit(form, model, values, { ...origin, principal: formPrincipal(form.slug) })
    return { message }
  }
  const record = await admit(form, model, values, origin)
  return { message, id: String(record.id), record }
}

/* Public */

/** A public form of the request's tenant; private and unknown forms are alike (404). */
async function publicForm(slug: string) {
  const form = await formBySlug(slug)
  if (!form.public) throw new E_FORM_NOT_FOUND([slug])
  try {
    return { form, model: await collectionModel(form.collection) }
  } catch (error) {
    if (error instanceof E_COLLECTION_NOT_FOUND) throw new E_FORM_NOT_FOUND([slug])
    throw error
  }
}

/** The public form to render, with the signed token its submission must bring back. */
export async function openPublicForm(slug: string) {
  const { form, model } = await publicForm(slug)
  refuseClosed(form)
  const tenant = tenantContext.require()
  const { token, expiresAt } = formToken(tenant.id, String(form.id))
  return {
    ...rendered(form, model),
    // A page with no account shows the school's name, in its language and time zone.
    tenant: {
      name: tenant.name,
      locale: tenant.settings.locale,
      time_zone: tenant.settings.time_zone,
    },
    token,
    token_expires_at: expiresAt.toISOString(),
    min_fill_seconds: settingsOf(form.settings).min_fill_seconds,
    honeypot: 'website',
  }
}

/** Counts a submission against the form's limit for this address: 429 with Retry-After past it. */
async function countAttempt(form: Row, address: string) {
  const { requests, per_seconds: perSeconds } = settingsOf(form.settings).rate_limit
  const key = `public_form:${tenantContext.require().id}:${form.id}:${address}`
  try {
    await limiter.use({ requests, duration: perSeconds }).consume(key)
  } catch (error) {
    if (!(error instanceof limiterErrors.E_TOO_MANY_REQUESTS)) throw error
    const retryAfter = Math.max(1, error.response.availableIn)
    throw Object.assign(
      new E_RATE_LIMITED(
        [`at most ${requests} submissions of this form per ${perSeconds} s from one address`],
        {
          details: {
            tier: 'public_form',
            limit: requests,
            window_seconds: perSeconds,
            retry_after: retryAfter,
          },
        }
      ),
      { retryAfter }
    )
  }
}

/**
 * A submission from anyone: every attempt counts against the address's limit
 * first; then the form must be open, the honeypot empty, the token this
 * form's, signed here, not expired and older than the minimum fill time.
 */
export async function submitPublic(
  slug: string,
  input: { values: Record<string, unknown>; token: string; website?: string | null },
  address: string,
  requestId: string | null
) {
  const { form, model } = await publicForm(slug)
  await countAttempt(form, address)
  refuseClosed(form)
  if (input.website) throw new E_FORM_HONEYPOT()
  const settings = settingsOf(form.settings)
  const checked = checkFormToken(input.token, tenantContext.require().id, String(form.id))
  if (!checked.ok) throw new E_FORM_TOKEN_INVALID([], { details: { reason: checked.reason } })
  if (Date.now() - checked.issuedAt < settings.min_fill_seconds * 1000)
    throw new E_FORM_TOO_FAST([], { details: { min_fill_seconds: settings.min_fill_seconds } })
  await admit(form, model, input.values, { principal: formPrincipal(form.slug), requestId })
  return { message: settings.success_message }
}
