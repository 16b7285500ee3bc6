import { test } from '@japa/runner'
import { randomBytes } from 'node:crypto'
import { identity } from '#core/auth/identity'
import type { TokenPair } from '#core/auth/types'
import { tenantContext } from '#core/tenancy/context'
import { withTenantDb } from '#core/tenancy/tenant_db'
import type { Tenant } from '#core/tenancy/types'
import { runOryne, runOryneProcess, type CliResult } from '#tests/support/cli'
import { activeTenant } from '#tests/support/tenants'
import { OTHER_PASSWORD, PASSWORD } from '#tests/support/auth'

/*
 * The commands run in this process, on its database and Redis: nothing they
 * do is queued, so they need no queues of their own.
 */

/** Arguments written as one line (none of them holds a space). */
const argv = (line: string) => line.split(' ')

/** `oryne <args>` with `input` piped to its standard input, as `echo "$PW" | oryne ...` would. */
const oryneWithInput = (args: string[], input: string) => runOryne(args, {}, { input })

async function json(result: Promise<CliResult>) {
  const done = await result
  try {
    return { ...done, body: JSON.parse(done.stdout) }
  } catch {
    throw new Error(`no JSON printed:\n${done.stdout}\n${done.stderr}`)
  }
}

const oryne = (line: string) => runOryne(argv(line))
const oryneJson = (line: string) => json(oryne(`${line} --json`))

/** Signs in a user without MFA: the token pair. */
async function signIn(tenant: Tenant, email: string, password = PASSWORD) {
  return (await tenantContext.run(tenant, () =>
    identity.tenant.login(email, password)
  )) as TokenPair
}

function addUser(tenant: Tenant, email: string, role: string) {
  return tenantContext.run(tenant, () =>
    identity.tenantUsers.create({ email, role, password: PASSWORD })
  )
}

test.group('oryne user', (group) => {
  let tenant: Tenant
  group.setup(async () => {
    tenant = await activeTenant({ slug: `cli-user-${randomBytes(3).toString('hex')}` })
  })

  test('create with --password-stdin makes an active user who can sign in', async ({ assert }) => {
    // A real process: the password comes through a real pipe, newline and all.
    const created = await json(
      runOryneProcess(
        [
          ...argv(`user create --tenant ${tenant.slug} --role Teacher --password-stdin --json`),
          ...['--email', ' Ms.Wanjiru@School.example ', '--name', 'Grace Wanjiru'],
        ],
        {},
        { input: `${PASSWORD}\n` }
      )
    )
    assert.equal(created.code, 0, created.stderr)
    assert.deepInclude(created.body, {
      email: 'ms.wanjiru@school.example',
      name: 'Grace Wanjiru',
      status: 'active',
      roles: ['Teacher'],
    })
    assert.notProperty(created.body, 'invite_token')
    assert.notProperty(created.body, 'password_hash')
    const tokens = await signIn(tenant, 'ms.wanjiru@school.example')
    assert.equal(tokens.token_type, 'Bearer')

    const duplicate = await json(
      oryneWithInput(
        argv(
          `user create --tenant ${tenant.slug} --email ms.wanjiru@school.example --role Staff --password-stdin --json`
        ),
        PASSWORD
      )
    )
    assert.equal(duplicate.code, 1)
    assert.equal(duplicate.body.error.code, 'ERR_USER_EMAIL_TAKEN')
  })

  test('create without a password invites the user and prints the invite token once', async ({
    assert,
  }) => {
    const created = await oryneJson(
      `user create --tenant ${tenant.slug} --email parent@home.example --role Parent`
    )
    assert.equal(created.code, 0, created.stderr)
    assert.equal(created.body.status, 'invited')
    assert.match(created.body.invite_token, /^[\w-]{40,}$/)

    await tenantContext.run(tenant, () =>
      identity.tenant.acceptInvite({ token: created.body.invite_token, password: PASSWORD })
    )
    await signIn(tenant, 'parent@home.example')

    const [listed, table] = await Promise.all([
      oryneJson(`user list --tenant ${tenant.slug}`),
      oryne(`user list --tenant ${tenant.slug}`),
    ])
    assert.equal(listed.code, 0, listed.stderr)
    const parent = listed.body.find((u: { email: string }) => u.email === 'parent@home.example')
    assert.deepInclude(parent, { status: 'active', roles: ['Parent'] })
    assert.isNotNull(parent.last_login_at)
    assert.includeMembers(
      listed.body.map((u: { email: string }) => u.email),
      [`admin@${tenant.slug}.example`]
    )
    assert.match(table.stdout, /parent@home\.example\s+│\s+parent\s+│\s+active\s+│\s+Parent/)
  })

  test('disable refuses sign-ins, enable lets the user back in', async ({ assert }) => {
    await addUser(tenant, 'staff@school.example', 'Staff')
    const disabled = await oryneJson(
      `user disable --tenant ${tenant.slug} --email staff@school.example`
    )
    assert.equal(disabled.code, 0, disabled.stderr)
    assert.equal(disabled.body.status, 'disabled')
    await assert.rejects(() => signIn(tenant, 'staff@school.example'), /disabled/)

    const enabled = await oryne(`user enable --tenant ${tenant.slug} --email staff@school.example`)
    assert.equal(enabled.code, 0, enabled.stderr)
    assert.equal(enabled.stdout.trim(), 'User "staff@school.example" is active.')
    await signIn(tenant, 'staff@school.example')
  })

  test('reset-password sets a password, or prints a reset token', async ({ assert }) => {
    await addUser(tenant, 'lost@school.example', 'Student')
    const session = await signIn(tenant, 'lost@school.example')

    const issued = await oryneJson(
      `user reset-password --tenant ${tenant.slug} --email lost@school.example`
    )
    assert.equal(issued.code, 0, issued.stderr)
    await tenantContext.run(tenant, () =>
      identity.tenant.confirmPasswordReset({
        token: issued.body.reset_token,
        password: OTHER_PASSWORD,
      })
    )
    await signIn(tenant, 'lost@school.example', OTHER_PASSWORD)
    await assert.rejects(
      () => tenantContext.run(tenant, () => identity.tenant.refresh(session.refresh_token)),
      /session has ended/
    )

    const set = await oryneWithInput(
      argv(
        `user reset-password --tenant ${tenant.slug} --email lost@school.example --password-stdin`
      ),
      PASSWORD
    )
    assert.equal(set.code, 0, set.stderr)
    await signIn(tenant, 'lost@school.example', PASSWORD)
  })

  test('refusals: unknown role, weak password, unknown tenant or user, missing option', async ({
    assert,
  }) => {
    const [role, weak, noTenant, noUser, usage] = await Promise.all([
      oryneJson(`user create --tenant ${tenant.slug} --email x@school.example --role Wizard`),
      json(
        oryneWithInput(
          argv(
            `user create --tenant ${tenant.slug} --email y@school.example --role Staff --password-stdin --json`
          ),
          'weak'
        )
      ),
      oryneJson('user list --tenant no-such-school'),
      oryne(`user disable --tenant ${tenant.slug} --email ghost@school.example`),
      oryne('user create --email z@school.example --role Staff'),
    ])
    assert.equal(role.code, 1)
    assert.equal(role.body.error.code, 'ERR_VALIDATION')
    assert.equal(role.body.error.details[0].field, 'role')
    assert.match(role.body.error.details[0].message, /TenantAdmin/)

    assert.equal(weak.code, 1)
    assert.equal(weak.body.error.code, 'ERR_VALIDATION')
    assert.equal(weak.body.error.details[0].field, 'password')

    assert.equal(noTenant.code, 1)
    assert.equal(noTenant.body.error.code, 'ERR_TENANT_NOT_FOUND')

    assert.equal(noUser.code, 1)
    assert.match(noUser.stderr, /Error \[ERR_USER_NOT_FOUND\]/)

    assert.equal(usage.code, 2)
    assert.match(usage.stderr, /--tenant/)
  })

  test('export prints the personal-data archive; erase needs --yes, then anonymises; both audited', async ({
    assert,
  }) => {
    const { user: made } = await addUser(tenant, 'leaver@school.example', 'Student')
    await signIn(tenant, 'leaver@school.example')
    const exported = await oryneJson(
      `user export --tenant ${tenant.slug} --email leaver@school.example`
    )
    assert.equal(exported.code, 0, exported.stderr)
    assert.equal(exported.body.format, 'oryne.personal-data.v1')
    assert.deepInclude(exported.body.user, { id: made.id, email: 'leaver@school.example' })
    assert.lengthOf(exported.body.sessions, 1)

    const unconfirmed = await oryneJson(
      `user erase --tenant ${tenant.slug} --email leaver@school.example`
    )
    assert.equal(unconfirmed.code, 1)
    assert.equal(unconfirmed.body.error.code, 'ERR_CONFIRMATION_REQUIRED')
    const erased = await oryneJson(
      `user erase --tenant ${tenant.slug} --email leaver@school.example --yes`
    )
    assert.equal(erased.code, 0, erased.stderr)
    assert.deepInclude(erased.body, { id: made.id, erased: true })

    const after = await tenantContext.run(tenant, () => identity.tenantUsers.get(made.id))
    assert.deepInclude(after, { email: `erased-${made.id}@invalid`, status: 'disabled' })
    const gone = await oryneJson(
      `user export --tenant ${tenant.slug} --email leaver@school.example`
    )
    assert.equal(gone.body.error.code, 'ERR_USER_NOT_FOUND')

    const actions = await tenantContext.run(tenant, () =>
      withTenantDb((trx) =>
        trx
          .from('audit_log')
          .where({ resource: 'core.users', resource_id: made.id })
          .orderBy('id')
          .select('actor', 'action')
      )
    )
    assert.deepEqual(
      actions.map((entry) => entry.action),
      ['core.users.create', 'core.personal_data.export', 'core.personal_data.erase']
    )
    assert.match(actions[2].actor, /^cli:/)
  })
})

test.group('oryne platform-admin', () => {
  test('create makes a platform admin who can sign in; a password is required', async ({
    assert,
  }) => {
    const email = `root-${randomBytes(3).toString('hex')}@platform.example`
    const create = `platform-admin create --email ${email} --password-stdin --json`
    const created = await json(oryneWithInput(argv(create), PASSWORD))
    assert.equal(created.code, 0, created.stderr)
    assert.deepInclude(created.body, { email, roles: ['PlatformAdmin'], status: 'active' })
    const tokens = (await identity.platform.login(email, PASSWORD)) as TokenPair
    const claims = await identity.tokens.verify(tokens.access_token)
    assert.equal(claims.tid, 'platform')

    const [again, noPassword] = await Promise.all([
      json(oryneWithInput(argv(create), PASSWORD)),
      oryne(`platform-admin create --email ${email}`),
    ])
    assert.equal(again.code, 1)
    assert.equal(again.body.error.code, 'ERR_USER_EMAIL_TAKEN')
    assert.equal(noPassword.code, 2)
    assert.match(noPassword.stderr, /--password-stdin/)
  })
})
