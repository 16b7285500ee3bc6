import { tenantContext } from '../tenancy/context.js'
import { withTenantDb } from '../tenancy/tenant_db.js'
import type { Actor, Tenant } from '../tenancy/types.js'
import { recordAudit } from '../audit/audit.js'
import type { DemoContext, DemoPerson } from './define_plugin.js'
import type { PluginHost } from './plugin_host.js'

/** The password of the demo accounts that can sign in at once (teacher1, student1, parent1, staff1). */
export const DEMO_PASSWORD = 'Oryne-Demo-2026'
/** The built-in plugins a demo school runs. */
export const DEMO_PLUGINS = [
  'erp',
  'lms',
  'events',
  'hostel',
  'transport',
  'library',
  'estore',
  'ai',
]

const PEOPLE = {
  teachers: ['Teacher', 15],
  students: ['Student', 20],
  parents: ['Parent', 20],
  staff: ['Staff', 1],
} as const

export type DemoSeedResult = {
  tenant: string
  enabled: string[]
  seeded: string[]
  skipped: Array<{ plugin: string; reason: string }>
  accounts: { email: string; role: string; password: string | null }[]
}

/**
 * Fills a tenant with a realistic small school: enables the demo plugins that
 * are available (dependencies first), creates teachers, students and parents
 * (the first of each with DEMO_PASSWORD, the others invited), then runs each
 * enabled plugin's `demo` seed, dependencies first, each in its own
 * transaction with an audit entry. A plugin already seeded for the tenant is
 * skipped, so running it again changes nothing.
 */
export async function seedDemo(
  plugins: PluginHost,
  tenant: Tenant,
  options: { actor: Actor }
): Promise<DemoSeedResult> {
  const available = DEMO_PLUGINS.filter((name) => plugins.entry(name)?.available)
  const enabled = available.length
    ? await plugins.enable(tenant, available, { actor: options.actor })
    : []
  const { identity } = await import('../auth/identity.js')

  return tenantContext.run(tenant, async () => {
    const done = await withTenantDb((trx) =>
      trx.from('audit_log').where('action', 'core.demo.seeded').select('subject')
    )
    const seededBefore = new Set(done.map((row) => String(row.subject)))
    const context: DemoContext = { teachers: [], students: [], parents: [], staff: [] }
    const accounts: DemoSeedResult['accounts'] = []
    for (const [group, [role, count]] of Object.entries(PEOPLE) as Array<
      [keyof DemoContext, readonly [string, number]]
    >) {
      for (let i = 1; i <= count; i++) {
        const email = `${role.toLowerCase()}${i}@${tenant.slug}.demo.oryne.local`
        const person = await findOrCreate(identity, email, role, i === 1)
        ;(context[group] ??= []).push(person)
        if (i === 1) accounts.push({ email, role, password: DEMO_PASSWORD })
      }
    }

    const seeded: string[] = []
    const skipped: DemoSeedResult['skipped'] = []
    for (const manifest of await plugins.enabledManifests(tenant.id)) {
      if (!manifest.demo) continue
      if (seededBefore.has(`plugin:${manifest.name}`)) {
        skipped.push({ plugin: manifest.name, reason: 'already seeded' })
        continue
      }
      await withTenantDb(async (trx) => {
        await manifest.demo!(trx, context)
        await recordAudit(trx, {
          actor: options.actor,
          action: 'core.demo.seeded',
          subject: `plugin:${manifest.name}`,
          data: { version: manifest.version },
        })
      })
      seeded.push(manifest.name)
    }
    return { tenant: tenant.slug, enabled, seeded, skipped, accounts }
  })
}

async function findOrCreate(
  identity: typeof import('../auth/identity.js').identity,
  email: string,
  role: string,
  withPassword: boolean
): Promise<DemoPerson> {
  try {
    const user = await identity.tenantUsers.find(email)
    return { id: user.id, email }
  } catch (error) {
    if ((error as { code?: string }).code !== 'ERR_USER_NOT_FOUND') throw error
  }
  const { user } = await identity.tenantUsers.create({
    email,
    name: email
      .split('@')[0]
      .replace(/(\d+)$/, ' $1')
      .replace(/^./, (c) => c.toUpperCase()),
    role,
    password: withPassword ? DEMO_PASSWORD : undefined,
    // Demo accounts live at .demo.oryne.local: nobody to mail an invitation to.
    sendInvitation: false,
  })
  return { id: user.id, email }
}
