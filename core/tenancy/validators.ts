import vine from '@vinejs/vine'
import tenancyConfig from '#config/tenancy'
import { tenantSlugRule } from './slug.js'
import {
  DEFAULT_SETTINGS,
  ISO_CURRENCIES,
  knownKeysOnly,
  oneOf,
  tenantSettingsSchema,
} from './settings.js'
import { TENANT_STATUSES } from './lifecycle.js'
import type { CreateTenantInput } from './types.js'

/*
 * Input rules shared by the platform API and the `oryne tenant` commands, so
 * both refuse the same input with the same ERR_VALIDATION details.
 */

const plan = () => vine.string().trim().in(Object.keys(tenancyConfig.plans))
const settings = () =>
  tenantSettingsSchema.clone().use(knownKeysOnly(Object.keys(DEFAULT_SETTINGS)))

/** A calendar date written YYYY-MM-DD that exists (no 2026-02-30). */
const realDate = vine.createRule((value, _, field) => {
  if (typeof value !== 'string') return
  const parsed = new Date(`${value}T00:00:00Z`)
  if (Number.isNaN(parsed.getTime()) || parsed.toISOString().slice(0, 10) !== value) {
    field.report('Not a calendar date (YYYY-MM-DD)', 'date', field)
  }
})
const isoDate = () =>
  vine
    .string()
    .trim()
    .regex(/^\d{4}-\d{2}-\d{2}$/)
    .use(realDate())

export const createTenantValidator = vine.compile(
  vine.object({
    slug: tenantSlugRule.clone(),
    name: vine.string().trim().minLength(2).maxLength(200),
    plan: plan().optional(),
    // Lowercased only, as identity does: no provider-specific rewriting (Gmail dots), so sign-in finds the same address.
    admin_email: vine.string().trim().toLowerCase().email().maxLength(254).optional(),
    settings: settings().optional(),
    plugins: vine.array(vine.string().trim()).optional(),
  })
)

export const updateTenantValidator = vine.compile(
  vine.object({
    name: vine.string().trim().minLength(2).maxLength(200).optional(),
    plan: plan().optional(),
    settings: settings().optional(),
    paid_until: isoDate().nullable().optional(),
  })
)

export const listTenantsValidator = vine.compile(
  vine.object({
    status: vine.enum(TENANT_STATUSES).optional(),
    page: vine.number().withoutDecimals().min(1).optional(),
    per_page: vine.number().withoutDecimals().range([1, 200]).optional(),
    /** `created_at` (oldest first, the default) or `-created_at` (newest first). */
    sort: vine.enum(['created_at', '-created_at'] as const).optional(),
  })
)

export const transitionValidator = vine.compile(
  vine.object({
    reason: vine.string().trim().maxLength(500).optional(),
    force: vine.boolean().optional(),
  })
)

/** Hostnames: labels of letters, digits and hyphens, at least one dot. */
export const domainValidator = vine.compile(
  vine.object({
    domain: vine
      .string()
      .trim()
      .toLowerCase()
      .maxLength(253)
      .regex(/^(?=.{4,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/),
  })
)

export const invoiceValidator = vine.compile(
  vine.object({
    number: vine.string().trim().maxLength(40).optional(),
    amount_minor: vine.number().withoutDecimals().min(0),
    currency: vine
      .string()
      .trim()
      .toUpperCase()
      .use(oneOf({ values: ISO_CURRENCIES, what: 'ISO 4217 currency code (e.g. KES)' })),
    period_start: isoDate(),
    period_end: isoDate(),
    due_on: isoDate().optional(),
  })
)

export const paymentValidator = vine.compile(
  vine.object({ reference: vine.string().trim().maxLength(200).optional() })
)

/** Validates a create request (API body or CLI options) into what TenancyService.create takes. */
export async function validateCreateTenant(data: unknown): Promise<CreateTenantInput> {
  const input = await createTenantValidator.validate(data)
  return {
    slug: input.slug,
    name: input.name,
    plan: input.plan,
    adminEmail: input.admin_email,
    settings: input.settings,
    plugins: input.plugins,
  }
}
