import { E_NOTIFICATION_TEMPLATE_INVALID } from '../errors.js'
import { withTenantDb } from '../tenancy/tenant_db.js'
import { findTemplate, templateVariables, templatesOf } from './templates.js'

/** Every template of the tenant with its override, if its admin set one. */
export async function listTemplates(tenantId: string) {
  const templates = await templatesOf(tenantId)
  const overrides = await withTenantDb((trx) =>
    trx.from('notification_template_overrides').select('*')
  )
  return templates.map((template) => {
    const override = overrides.find((row) => row.template === template.key)
    return {
      ...template,
      override: override
        ? {
            subject: override.subject,
            body: override.body,
            updated_by: override.updated_by,
            updated_at: new Date(override.updated_at).toISOString(),
          }
        : null,
    }
  })
}

/**
 * Sets the tenant's subject and/or body of a template. An override may use
 * only the variables the template declares: those are the ones notify()
 * checks, so a rendered message never has a hole.
 */
export async function setOverride(
  tenantId: string,
  key: string,
  input: { subject?: string | null; body?: string | null },
  actor: string
) {
  const template = await findTemplate(tenantId, key)
  const unknown = [input.subject, input.body]
    .filter((source): source is string => typeof source === 'string')
    .flatMap(templateVariables)
    .filter((name) => !template.variables.includes(name))
  if (unknown.length)
    throw new E_NOTIFICATION_TEMPLATE_INVALID(
      [`${[...new Set(unknown)].join(', ')} not among ${template.variables.join(', ') || 'none'}`],
      { details: [...new Set(unknown)].map((name) => ({ field: name, rule: 'unknown_variable' })) }
    )
  await withTenantDb((trx) =>
    trx.rawQuery(
      `INSERT INTO notification_template_overrides (template, subject, body, updated_by, updated_at)
       VALUES (?, ?, ?, ?, now())
       ON CONFLICT (template) DO UPDATE
         SET subject = EXCLUDED.subject, body = EXCLUDED.body,
             updated_by = EXCLUDED.updated_by, updated_at = now()`,
      [key, input.subject ?? null, input.body ?? null, actor] as any[]
    )
  )
  const templates = await listTemplates(tenantId)
  return templates.find((candidate) => candidate.key === key)!
}

export async function removeOverride(tenantId: string, key: string) {
  await findTemplate(tenantId, key)
  await withTenantDb((trx) =>
    trx.from('notification_template_overrides').where('template', key).delete()
  )
}
