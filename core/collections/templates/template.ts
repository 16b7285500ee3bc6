import { E_VALIDATION } from '../../errors.js'
import type { ResourcePrincipal } from '../../resources/define_resource.js'
import { ident } from '../../resources/sql.js'
import { actorOf } from '../../rbac/authorize.js'
import { tenantContext } from '../../tenancy/context.js'
import { readTenantDb, withTenantDb } from '../../tenancy/tenant_db.js'
import { USERS_TARGET } from '../../resources/model.js'
import { createCollection, definitionContext, type presentCollection } from '../collection_admin.js'
import { COLLECTIONS, keyOfCollection, type CollectionDefinition } from '../definition.js'
import { E_COLLECTION_EXISTS } from '../errors.js'
import { collectionRow, collectionsOfTenant, invalidateCollections } from '../registry.js'
import { createAutomation } from '../automations/service.js'
import { createAutomationValidator } from '../automations/validators.js'
import { createForm } from '../forms/service.js'
import { createFormValidator } from '../forms/validators.js'
import { createView } from '../views/service.js'
import { createViewValidator } from '../views/validators.js'
import { E_COLLECTION_TEMPLATE_FORMAT, E_COLLECTION_TEMPLATE_TARGETS } from './errors.js'

/*
 * Collection templates (docs/collections.md, "Templates"): a collection's
 * design — definition, views, forms and automations, without records or ids
 * — as one versioned JSON document, and the import that makes a collection of
 * it in one tenant transaction, through the same checks as the admin API.
 */

/** The format's version: an import refuses any other. */
export const TEMPLATE_VERSION = 1

export type TemplateView = { name: string; kind: string; config: unknown; position: number }
export type TemplateForm = {
  slug: string
  title: string
  description: string | null
  sections: unknown
  public: boolean
  settings: unknown
}
export type TemplateAutomation = {
  name: string
  trigger: unknown
  action: Record<string, unknown>
  enabled: boolean
  /** Why the automation cannot be imported as it is (it named a user of the exporting institution). */
  needs?: string
}

export type CollectionTemplate = {
  oryne_collection_template: typeof TEMPLATE_VERSION
  name: string
  label: string
  description: string | null
  definition: CollectionDefinition
  views: TemplateView[]
  forms: TemplateForm[]
  automations: TemplateAutomation[]
}

/** Who imports (audit entries, the collection's created_by). */
export type Importer = { principal: ResourcePrincipal; requestId?: string | null }

type Row = Record<string, any>

const isObject = (value: unknown): value is Record<string, unknown> =>
  !!value && typeof value === 'object' && !Array.isArray(value)

/** What a user-specific recipient becomes in a template: nobody, flagged. */
const USER_RECIPIENT_NEEDS =
  'it notified one user of the institution it was exported from; choose who to notify after the import'

async function designOf(name: string) {
  return readTenantDb(async (client, table) => ({
    views: await client
      .from(table('collection_views'))
      .where('collection', name)
      .orderBy([{ column: 'position' }, { column: 'id' }])
      .select('name', 'kind', 'config', 'position'),
    forms: await client
      .from(table('collection_forms'))
      .where('collection', name)
      .orderBy('id')
      .select('slug', 'title', 'description', 'sections', 'public', 'settings'),
    automations: await client
      .from(table('collection_automations'))
      .where('collection', name)
      .orderBy('id')
      .select('name', 'trigger', 'action', 'enabled'),
  }))
}

function exportedAutomation(row: Row): TemplateAutomation {
  const action = { ...(row.action ?? {}) }
  const automation: TemplateAutomation = {
    name: row.name,
    trigger: row.trigger,
    action,
    enabled: row.enabled,
  }
  // A user id means nothing in another institution: left out, and the automation flagged.
  if (action.type === 'notify' && isObject(action.to) && 'user_id' in action.to) {
    action.to = { user_id: null }
    automation.needs = USER_RECIPIENT_NEEDS
  }
  return automation
}

/** The template of one collection of the current tenant (ERR_COLLECTION_NOT_FOUND if none). */
export async function collectionTemplate(name: string): Promise<CollectionTemplate> {
  const row = await collectionRow(name)
  const design = await designOf(name)
  return {
    oryne_collection_template: TEMPLATE_VERSION,
    name: row.name,
    label: row.label,
    description: row.description,
    definition: row.definition,
    views: design.views.map((view: Row) => ({
      name: view.name,
      kind: view.kind,
      config: view.config ?? {},
      position: view.position,
    })),
    forms: design.forms.map((form: Row) => ({
      slug: form.slug,
      title: form.title,
      description: form.description,
      sections: form.sections,
      public: form.public,
      settings: form.settings ?? {},
    })),
    automations: design.automations.map(exportedAutomation),
  }
}

/** The current tenant's collections with how much each holds (`oryne collection list`). */
export async function collectionSummaries() {
  const { list } = await collectionsOfTenant()
  const tenant = tenantContext.require()
  return readTenantDb(async (client, table) => {
    const counts = async (from: string) => {
      const rows = await client
        .from(table(from))
        .groupBy('collection')
        .select('collection')
        .count('* as count')
      return new Map(rows.map((r: Row) => [r.collection as string, Number(r.count)]))
    }
    const views = await counts('collection_views')
    const forms = await counts('collection_forms')
    const automations = await counts('collection_automations')
    const summaries = []
    for (const row of list) {
      const { rows } = await client.rawQuery(
        `SELECT count(*)::int AS count FROM ${ident(tenant.schema_name)}.${ident(row.table_name)}`
      )
      summaries.push({
        name: row.name,
        label: row.label,
        description: row.description,
        version: row.version,
        fields: Object.keys(row.definition.fields ?? {}).length,
        records: rows[0].count as number,
        views: views.get(row.name) ?? 0,
        forms: forms.get(row.name) ?? 0,
        automations: automations.get(row.name) ?? 0,
      })
    }
    return summaries
  })
}

/** Checks the document's envelope; what is inside is checked by the services that create each part. */
function parseTemplate(input: unknown): CollectionTemplate {
  if (!isObject(input)) throw new E_COLLECTION_TEMPLATE_FORMAT(['it is not a JSON object'])
  const version = input.oryne_collection_template
  if (version === undefined)
    throw new E_COLLECTION_TEMPLATE_FORMAT(['it has no "oryne_collection_template" version'])
  if (version !== TEMPLATE_VERSION)
    throw new E_COLLECTION_TEMPLATE_FORMAT([
      `version ${JSON.stringify(version)} (this Oryne reads version ${TEMPLATE_VERSION})`,
    ])
  const details: Array<{ field: string; rule: string; message: string }> = []
  if (typeof input.name !== 'string')
    details.push({
      field: 'template.name',
      rule: 'string',
      message: 'The template names its collection',
    })
  if (!isObject(input.definition))
    details.push({
      field: 'template.definition',
      rule: 'object',
      message: 'The definition is an object',
    })
  for (const part of ['views', 'forms', 'automations'])
    if (input[part] !== undefined && !(Array.isArray(input[part]) && input[part].every(isObject)))
      details.push({
        field: `template.${part}`,
        rule: 'array',
        message: `${part} is a list of objects`,
      })
  if (details.length) throw new E_VALIDATION([], { details })
  return { views: [], forms: [], automations: [], ...input } as unknown as CollectionTemplate
}

/** The definition with references to the template's own collection renamed to `name`. */
function renamedDefinition(definition: CollectionDefinition, from: string, to: string) {
  if (from === to || !isObject(definition.fields)) return definition
  const fields = Object.fromEntries(
    Object.entries(definition.fields).map(([field, spec]) => [
      field,
      isObject(spec) && spec.target === keyOfCollection(from)
        ? { ...spec, target: keyOfCollection(to) }
        : spec,
    ])
  )
  return { ...definition, fields }
}

/**
 * What the template refers to that this tenant lacks: reference targets of
 * its fields (resources of plugins not enabled here, collections not here)
 * and the collections its create_record automations write to.
 */
async function missingTargets(template: CollectionTemplate, name: string) {
  const { targets } = await definitionContext(name)
  const missing: Array<{ field: string; target: string; message: string }> = []
  const known = (target: string) =>
    target === USERS_TARGET || target === keyOfCollection(name) || targets.has(target)
  for (const [field, spec] of Object.entries(template.definition.fields ?? {})) {
    if (!isObject(spec) || typeof spec.target !== 'string' || known(spec.target)) continue
    const [owner] = spec.target.split('.', 1)
    missing.push({
      field: `template.definition.fields.${field}.target`,
      target: spec.target,
      message:
        owner === COLLECTIONS
          ? `No collection "${spec.target.slice(COLLECTIONS.length + 1)}" here`
          : `No resource ${spec.target} here (is the ${owner} module enabled?)`,
    })
  }
  template.automations.forEach((automation, index) => {
    const action = automation.action
    if (!isObject(action) || action.type !== 'create_record') return
    if (typeof action.collection !== 'string' || action.collection === name) return
    if (targets.has(keyOfCollection(action.collection))) return
    missing.push({
      field: `template.automations.${index}.action.collection`,
      target: keyOfCollection(action.collection),
      message: `No collection "${action.collection}" here`,
    })
  })
  return missing
}

/** A form slug free in this tenant: the template's, else the first free `<slug>-<n>`. */
function freeSlug(slug: string, taken: Set<string>) {
  if (!taken.has(slug)) return slug
  for (let n = 2; ; n++) {
    const suffix = `-${n}`
    const candidate = `${slug.slice(0, 60 - suffix.length)}${suffix}`
    if (!taken.has(candidate)) return candidate
  }
}

export type ImportedCollection = {
  collection: ReturnType<typeof presentCollection>
  views: number
  forms: Array<{ slug: string; template_slug: string }>
  automations: number
  /** The signing secret of each webhook automation (new ones: a template carries none), shown once. */
  webhook_secrets: Array<{ automation: string; secret: string }>
  /** What the import left for the admin to finish (automations it could not bring over). */
  needs_attention: string[]
}

/**
 * Creates a collection from a template (`{ template, name? }`): its definition
 * and table through the admin API's create (validation, quotas), then its
 * views, forms and automations through their own services, all in one tenant
 * transaction — an error anywhere leaves nothing behind. References to the
 * template's own collection follow a rename; a form slug already taken here
 * gets a `-<n>` suffix.
 */
export async function importCollectionTemplate(
  body: unknown,
  by: Importer
): Promise<ImportedCollection> {
  if (!isObject(body))
    throw new E_VALIDATION([], {
      details: [{ field: '', rule: 'object', message: 'The body must be a JSON object' }],
    })
  for (const key of Object.keys(body))
    if (key !== 'template' && key !== 'name')
      throw new E_VALIDATION([], {
        details: [{ field: key, rule: 'unknown_key', message: `An import takes no "${key}"` }],
      })
  if (body.name !== undefined && typeof body.name !== 'string')
    throw new E_VALIDATION([], {
      details: [{ field: 'name', rule: 'string', message: 'name is the new collection’s name' }],
    })
  const template = parseTemplate(body.template)
  const name = (body.name as string | undefined) ?? template.name
  const tenant = tenantContext.require()
  const actor = actorOf(by.principal)
  const definition = renamedDefinition(template.definition, template.name, name)

  try {
    return await withTenantDb(async (trx) => {
      const { list } = await collectionsOfTenant()
      if (list.some((row) => row.name === name)) throw new E_COLLECTION_EXISTS([name])
      const missing = await missingTargets({ ...template, definition }, name)
      if (missing.length)
        throw new E_COLLECTION_TEMPLATE_TARGETS([missing.map((m) => m.target).join(', ')], {
          details: missing,
        })

      const collection = await createCollection(
        {
          name,
          label: template.label,
          description: template.description ?? null,
          definition,
        },
        by
      )
      for (const view of template.views) {
        const input = await createViewValidator.validate(view)
        await createView(name, input, actor)
      }

      const slugs: Row[] = await trx.from('collection_forms').select('slug')
      const taken = new Set<string>(slugs.map((row) => row.slug))
      const forms: ImportedCollection['forms'] = []
      for (const form of template.forms) {
        const slug = freeSlug(String(form.slug), taken)
        taken.add(slug)
        await createForm(name, await createFormValidator.validate({ ...form, slug }), actor)
        forms.push({ slug, template_slug: String(form.slug) })
      }

      const needs: string[] = []
      const secrets: ImportedCollection['webhook_secrets'] = []
      let automations = 0
      for (const automation of template.automations) {
        if (automation.needs || isUserless(automation.action)) {
          needs.push(
            `automation "${automation.name}" was not imported: ${automation.needs ?? USER_RECIPIENT_NEEDS}`
          )
          continue
        }
        const action = { ...automation.action }
        if (action.type === 'create_record' && action.collection === template.name)
          action.collection = name
        const input = await createAutomationValidator.validate({ ...automation, action })
        const made = await createAutomation(name, input, actor)
        if (made.secret) secrets.push({ automation: made.name, secret: made.secret })
        automations++
      }
      return {
        collection,
        views: template.views.length,
        forms,
        automations,
        webhook_secrets: secrets,
        needs_attention: needs,
      }
    })
  } finally {
    // The collection was read into the cache inside the transaction: every process reads it again.
    invalidateCollections(tenant.id)
  }
}

function isUserless(action: Record<string, unknown>) {
  return (
    action.type === 'notify' &&
    isObject(action.to) &&
    'user_id' in action.to &&
    (action.to as Record<string, unknown>).user_id === null
  )
}
