import { existsSync } from 'node:fs'
import { mkdir } from 'node:fs/promises'
import { test } from '@japa/runner'
import app from '@adonisjs/core/services/app'
import { generate } from 'otplib'
import { chromium, type Browser, type Page } from 'playwright-core'
import { listen } from '#core/http/listen'
import { identity } from '#core/auth/identity'
import { createTenantBackup } from '#core/backup/create'
import type { Tenant } from '#core/tenancy/types'
import { activeTenant, PLATFORM_TOKEN, uniqueSlug } from '#tests/support/tenants'
import { createUser, PASSWORD } from '#tests/support/auth'

const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium'
const ARTEFACTS = app.makePath('tmp/artefacts/console')

const shot = (page: Page, name: string) =>
  page.screenshot({ path: `${ARTEFACTS}/${name}.png`, fullPage: true })

/** Calls the API as a signed-in tenant user, the way any client would. */
async function apiAs(
  baseUrl: string,
  tenant: Tenant,
  token: string | null,
  path: string,
  body?: object
) {
  const response = await fetch(`${baseUrl}${path}`, {
    method: body ? 'POST' : 'GET',
    headers: {
      'Content-Type': 'application/json',
      'X-Tenant-ID': tenant.slug,
      ...(token ? { Authorization: `Bearer ${token}` } : {}),
    },
    body: body ? JSON.stringify(body) : undefined,
  })
  return { status: response.status, body: (await response.json()) as any }
}

test.group('Admin console: users, roles, MFA, audit, backups, platform pages', (group) => {
  let browser: Browser
  let baseUrl: string
  let tenant: Tenant
  let adminEmail: string
  let problems: string[]

  async function open(viewport = { width: 1280, height: 900 }) {
    const page = await browser.newPage({ viewport })
    page.on('pageerror', (error) => problems.push(error.message))
    page.on('console', (message) => {
      if (
        message.type() === 'error' &&
        !message.text().includes('the server responded with a status')
      )
        problems.push(message.text())
    })
    return page
  }

  async function signIn(page: Page, who: { tenant?: string; email: string }) {
    await page.goto(`${baseUrl}/console`)
    await page.getByLabel(who.tenant ? 'School administrator' : 'Platform administrator').check()
    if (who.tenant) await page.getByLabel('School (tenant slug)').fill(who.tenant)
    await page.getByLabel('Email').fill(who.email)
    await page.getByLabel('Password').fill(PASSWORD)
    await page.getByRole('button', { name: 'Sign in' }).click()
  }

  group.setup(async () => {
    if (!existsSync(CHROMIUM))
      throw new Error(`Chromium not found at ${CHROMIUM} (set CHROMIUM_PATH)`)
    await mkdir(ARTEFACTS, { recursive: true })
    baseUrl = (await listen(app, { host: '127.0.0.1', port: 0 })).url
    tenant = await activeTenant()
    adminEmail = `head@${tenant.slug}.example`
    await createUser(tenant, { email: adminEmail, role: 'TenantAdmin' })
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
    })
    return () => browser.close()
  })
  group.each.setup(() => {
    problems = []
  })
  group.each.teardown(() => {
    if (problems.length) throw new Error(`script errors in the page: ${problems.join('; ')}`)
  })

  test('a tenant admin invites a user, makes a custom role from the permission picker, gives it, disables the user', async ({
    assert,
  }) => {
    const page = await open()
    await signIn(page, { tenant: tenant.slug, email: adminEmail })
    await page.getByRole('heading', { name: 'Modules' }).waitFor()

    await page.getByRole('link', { name: 'Roles' }).click()
    await page.getByRole('heading', { name: 'New custom role' }).waitFor()
    await page.getByLabel('Name', { exact: true }).fill('Auditor')
    const core = page.locator('.permissions fieldset[data-plugin="core"]').last()
    await core.getByLabel(/core\.audit\.read/).check()
    await page.getByRole('button', { name: 'Create role' }).click()
    await page.getByText('Role Auditor created.').waitFor()
    assert.include(
      await page.locator('details[data-role="Auditor"] summary').innerText(),
      '1 grant(s)'
    )
    await shot(page, '10-roles')

    const invited = `clerk@${tenant.slug}.example`
    await page.getByRole('link', { name: 'Users' }).click()
    await page.getByText('Invite a user').click()
    await page.getByLabel('Email').fill(invited)
    await page.getByRole('group', { name: 'Roles', exact: true }).getByLabel('Staff').check()
    await page.getByRole('button', { name: 'Send invitation' }).click()
    await page.getByText(`Invited ${invited}.`).waitFor()
    const row = page.locator(`tr[data-email="${invited}"]`)
    assert.include(await row.innerText(), 'invited')

    await row.locator('summary').click()
    await row.getByLabel('Auditor').check()
    await row.getByRole('button', { name: 'Save roles' }).click()
    await row.locator('summary', { hasText: 'Auditor' }).waitFor()
    assert.include(await row.locator('summary').innerText(), 'Staff')

    await row.getByRole('button', { name: `Disable ${invited}` }).click()
    await row.locator('.badge', { hasText: 'disabled' }).waitFor()
    await shot(page, '11-users')

    // The last TenantAdmin cannot disable themself: the API's refusal shows in the row.
    const self = page.locator(`tr[data-email="${adminEmail}"]`)
    await self.getByRole('button', { name: `Disable ${adminEmail}` }).click()
    await self.getByRole('alert').waitFor()
    assert.include(await self.getByRole('alert').innerText(), 'ERR_LAST_TENANT_ADMIN')

    // The audit log shows what was done, filtered by action prefix.
    await page.getByRole('link', { name: 'Audit log' }).click()
    await page.getByLabel(/^action/).fill('core.users.*')
    await page.locator('td', { hasText: 'core.roles.create' }).first().waitFor()
    await page.getByRole('button', { name: 'Filter' }).click()
    // The filtered page replaces the whole list: the role's creation leaves it.
    await page
      .locator('td', { hasText: 'core.roles.create' })
      .first()
      .waitFor({ state: 'detached' })
    assert.include(await page.locator('tbody').innerText(), 'core.users.disable')
    await shot(page, '12-audit')
    await page.close()
  })

  test('a tenant admin with MFA signs in with a code, changes plugin settings, lists and requests a backup', async ({
    assert,
  }) => {
    const email = `mfa@${tenant.slug}.example`
    await createUser(tenant, { email, role: 'TenantAdmin' })
    const login = await apiAs(baseUrl, tenant, null, '/api/v1/auth/login', {
      email,
      password: PASSWORD,
    })
    const token = login.body.data.access_token
    const enrolled = await apiAs(baseUrl, tenant, token, '/api/v1/auth/mfa/enroll', {})
    const secret = enrolled.body.data.secret
    const confirmed = await apiAs(baseUrl, tenant, token, '/api/v1/auth/mfa/confirm', {
      code: await generate({ secret }),
    })
    assert.equal(confirmed.status, 200)
    const enabled = await apiAs(baseUrl, tenant, token, '/api/v1/admin/plugins/lms/enable', {})
    assert.equal(enabled.status, 200)
    await createTenantBackup(tenant, { reason: 'manual', actor: 'test', files: false })

    const page = await open({ width: 390, height: 844 })
    await signIn(page, { tenant: tenant.slug, email })
    await page.getByText('Two-factor authentication is on for this account.').waitFor()
    // A code once accepted is refused for the rest of its step: wait for the next one.
    await page.waitForTimeout(((30 - (Math.floor(Date.now() / 1000) % 30)) % 30) * 1000 + 500)
    await page.getByLabel(/Code from your authenticator/).fill(await generate({ secret }))
    await page.getByRole('button', { name: 'Verify' }).click()
    await page.getByRole('heading', { name: 'Modules' }).waitFor()
    await shot(page, '13-mobile-modules')

    await page.goto(`${baseUrl}/console/settings/lms`)
    const late = page.getByLabel('late_after_minutes')
    await late.fill('17')
    await page.getByRole('button', { name: 'Save settings' }).click()
    await page.getByText('Settings saved.').waitFor()
    const settings = await apiAs(baseUrl, tenant, token, '/api/v1/admin/plugins/lms/settings')
    assert.equal(settings.body.data.values.late_after_minutes, 17)

    // A custom field on LMS courses, added and removed without code.
    await page.goto(`${baseUrl}/console/fields`)
    await page.getByLabel('Resource').selectOption('lms/courses')
    await page.getByRole('heading', { name: 'Add a field to lms/courses' }).waitFor()
    await page.getByLabel('Name (snake_case)').fill('room_code')
    await page.getByRole('button', { name: 'Add field' }).click()
    await page.getByText('Field room_code added.').waitFor()
    const fields = await apiAs(baseUrl, tenant, token, '/api/v1/admin/resources/lms/courses/fields')
    assert.include(
      fields.body.data.map((field: { name: string }) => field.name),
      'room_code'
    )
    await page.getByRole('button', { name: 'Remove room_code' }).click()
    await page.getByText('Field room_code removed').waitFor()

    await page.goto(`${baseUrl}/console/backups`)
    await page.getByRole('heading', { name: 'Backups' }).waitFor()
    assert.include(await page.locator('tbody').innerText(), 'manual')
    await page.getByRole('button', { name: 'Request restore' }).click()
    await page.getByText('Restore requested').waitFor()
    await shot(page, '14-backups')
    await page.close()
  })

  test('the backups API never shows another tenant’s archives', async ({ assert }) => {
    const other = await activeTenant()
    const taken = await createTenantBackup(other, { reason: 'manual', actor: 'test', files: false })
    const login = await apiAs(baseUrl, tenant, null, '/api/v1/auth/login', {
      email: adminEmail,
      password: PASSWORD,
    })
    const token = login.body.data.access_token
    const list = await apiAs(baseUrl, tenant, token, '/api/v1/admin/backups')
    assert.notInclude(
      list.body.data.map((backup: { id: string }) => backup.id),
      taken.id
    )
    const stolen = await apiAs(
      baseUrl,
      tenant,
      token,
      `/api/v1/admin/backups/${taken.id}/restore-request`,
      {}
    )
    assert.equal(stolen.status, 404)
    assert.equal(stolen.body.error.code, 'ERR_BACKUP_NOT_FOUND')

    // A request for this tenant's own backup reaches the platform admins through its history.
    const own = await createTenantBackup(tenant, { reason: 'manual', actor: 'test', files: false })
    const asked = await apiAs(
      baseUrl,
      tenant,
      token,
      `/api/v1/admin/backups/${own.id}/restore-request`,
      {}
    )
    assert.equal(asked.status, 202)
    const shown = await fetch(`${baseUrl}/api/v1/platform/tenants/${tenant.slug}`, {
      headers: { Authorization: `Bearer ${PLATFORM_TOKEN()}` },
    })
    const history = ((await shown.json()) as any).data.history as Array<{
      event: string
      data: any
    }>
    const requested = history
      .filter((entry) => entry.event === 'backup.restore_requested')
      .map((entry) => entry.data.backup_id)
    assert.include(requested, own.id)
  })

  test('a platform admin sees tenants, suspends and resumes one, and reads queues and fleet status', async ({
    assert,
  }) => {
    const email = `ops-${uniqueSlug()}@platform.example`
    await identity.platformUsers.create({ email, password: PASSWORD })
    // The console lists newest first (sort=-created_at): a tenant made now is on the first page, however many the suite made.
    const listed = await activeTenant()
    const page = await open()
    await signIn(page, { email })
    await page.getByRole('heading', { name: 'Tenants' }).waitFor()
    const row = page.locator(`tr[data-slug="${listed.slug}"]`)
    await row.waitFor()
    assert.include(await row.innerText(), 'active')
    await row.getByRole('button', { name: `suspend ${listed.slug}` }).click()
    await row.locator('.badge', { hasText: 'suspended' }).waitFor()
    await shot(page, '20-tenants')
    await row.getByRole('button', { name: `resume ${listed.slug}` }).click()
    await row.locator('.badge', { hasText: 'active' }).waitFor()

    // A new tenant from the form: listed at once, provisioning (with its progress) or already active.
    const slug = uniqueSlug('console')
    await page.getByText('New tenant').click()
    await page.getByLabel('slug').fill(slug)
    await page.getByLabel('name', { exact: true }).fill(`School ${slug}`)
    await page.getByLabel('admin email').fill(`admin@${slug}.example`)
    await page.getByRole('button', { name: 'Provision' }).click()
    await page.getByText(`${slug} is being provisioned.`).waitFor()
    const created = page.locator(`tr[data-slug="${slug}"]`)
    await created.waitFor()
    assert.match(await created.locator('.badge').innerText(), /^(provisioning|active)$/)

    await page.getByRole('link', { name: 'Queues' }).click()
    await page.getByRole('heading', { name: 'Queues' }).waitFor()
    assert.isAbove(await page.locator('tr[data-queue]').count(), 0)
    await shot(page, '21-queues')

    await page.getByRole('link', { name: 'Fleet migrations' }).click()
    await page.getByText(/tenants up to date/).waitFor()
    await shot(page, '22-fleet')
    assert.equal(await page.getByRole('link', { name: 'Metrics' }).getAttribute('href'), '/metrics')
    await page.close()
  })
})
