import { test } from '@japa/runner'
import { randomBytes } from 'node:crypto'
import app from '@adonisjs/core/services/app'
import db from '@adonisjs/lucid/services/db'
import { listen } from '#core/http/listen'
import { PASSWORD } from '#tests/support/auth'
import { runOryne, runOryneProcess, startOryne, type CliResult } from '#tests/support/cli'

/**
 * The commands run in this process, on its queues: `--wait` provisions right
 * here, and a queued run that a worker of this process might also pick up
 * waits on the same per-tenant lock, then finds the tenant active. Real
 * processes get queues of their own where a test needs its tenant left
 * alone (`ownQueues`).
 */
const ownQueues = (label: string) => ({
  ORYNE_REDIS_PREFIX: `${process.env.ORYNE_REDIS_PREFIX}-cli-tenant-${label}`,
})

const uniqueSlug = (label: string) => `cli-${label}-${randomBytes(3).toString('hex')}`

type Run = typeof runOryne

function oryne(args: string[], env: Record<string, string | undefined> = {}, run: Run = runOryne) {
  return run(['tenant', ...args], env)
}

/** Runs `oryne tenant <args> --json` and parses what it printed. */
async function oryneJson(
  args: string[],
  env: Record<string, string | undefined> = {},
  run: Run = runOryne
) {
  const result = await oryne([...args, '--json'], env, run)
  try {
    return { ...result, body: JSON.parse(result.stdout) }
  } catch {
    throw new Error(
      `oryne tenant ${args.join(' ')} printed no JSON:\n${result.stdout}\n${result.stderr}`
    )
  }
}

function expectFailure(
  assert: any,
  result: CliResult & { body: any },
  code: string
): Array<{ field: string; message: string }> {
  assert.equal(result.code, 1, result.stderr)
  assert.isFalse(result.body.ok)
  assert.equal(result.body.error.code, code)
  return result.body.error.details ?? []
}

/** A UTC day `offset` days from today, as YYYY-MM-DD. */
const day = (offset: number) =>
  new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10)

const events = (tenant: { history: Array<{ event: string }> }) => tenant.history.map((e) => e.event)

test.group('oryne tenant create, show, list', () => {
  test('create --wait provisions the tenant; show and list describe it', async ({ assert }) => {
    const slug = uniqueSlug('green')
    const created = await oryneJson(
      [
        'create',
        slug,
        '--name',
        'Green Valley School',
        '--plan',
        'premium',
        '--admin-email',
        'Head@Green-Valley.example.org',
        '--setting',
        'time_zone=Africa/Nairobi',
        '--setting',
        'week_start_day=7',
        '--wait',
      ],
      // A real process: the invitation goes to the platform log, at info level (this process logs nothing).
      { LOG_LEVEL: 'info' },
      runOryneProcess
    )
    assert.equal(created.code, 0, created.stderr)
    assert.equal(created.body.status, 'active')
    assert.equal(created.body.plan, 'premium')
    assert.deepInclude(created.body.settings, { time_zone: 'Africa/Nairobi', week_start_day: 7 })

    // Until notifications exist, the invitation is delivered through the platform log.
    const invited = created.stderr
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line))
      .find((line) => line.msg === 'tenant admin invited')
    assert.equal(invited?.email, 'head@green-valley.example.org')
    assert.match(invited?.invite_token, /^[\w-]{20,}$/)

    const shown = await oryneJson(['show', slug])
    assert.equal(shown.code, 0, shown.stderr)
    assert.includeMembers(Object.keys(shown.body), [
      'id',
      'slug',
      'name',
      'status',
      'plan',
      'paid_until',
      'schema',
      'settings',
      'provisioning',
      'created_at',
      'updated_at',
      'domains',
      'plugins',
      'history',
    ])
    assert.match(shown.body.schema, /^t_[0-9a-f]{32}$/)
    assert.deepEqual(shown.body.plugins, [])
    assert.deepEqual(shown.body.domains, [])
    assert.isNull(shown.body.paid_until)
    assert.equal(shown.body.provisioning.step, 'done')
    assert.deepEqual(events(shown.body), ['created', 'provisioned'])
    assert.match(shown.body.history[0].actor, /^cli:/)

    const { rows: admins } = await db.rawQuery(
      `SELECT u.status, u.invite_token_hash IS NOT NULL AS has_invite, r.name AS role
         FROM "${shown.body.schema}".users u
         JOIN "${shown.body.schema}".user_roles ur ON ur.user_id = u.id
         JOIN "${shown.body.schema}".roles r ON r.id = ur.role_id
        WHERE u.email = ?`,
      ['head@green-valley.example.org']
    )
    assert.deepEqual(admins, [{ status: 'invited', has_invite: true, role: 'TenantAdmin' }])

    const [listed, suspended] = await Promise.all([
      oryneJson(['list']),
      oryneJson(['list', '--status', 'suspended']),
    ])
    assert.equal(listed.code, 0, listed.stderr)
    assert.isArray(listed.body)
    for (const entry of listed.body) {
      assert.sameMembers(Object.keys(entry), ['slug', 'name', 'status', 'plan', 'created_at'])
    }
    assert.deepInclude(listed.body, {
      slug,
      name: 'Green Valley School',
      status: 'active',
      plan: 'premium',
      created_at: shown.body.created_at,
    })
    assert.notInclude(
      suspended.body.map((t: { slug: string }) => t.slug),
      slug
    )

    const duplicate = await oryne(['create', slug, '--name', 'Another School'])
    assert.equal(duplicate.code, 1)
    assert.include(duplicate.stderr, 'Error [ERR_TENANT_SLUG_TAKEN]')
    assert.include(duplicate.stderr, 'Hint: Pick another slug.')
  })

  test('create --wait --json and show --json list the plugins enabled at creation', async ({
    assert,
  }) => {
    const slug = uniqueSlug('erp')
    const created = await oryneJson([
      'create',
      slug,
      '--name',
      'Plugin School',
      '--plugins',
      'erp',
      '--wait',
    ])
    assert.equal(created.code, 0, created.stderr)
    const shown = await oryneJson(['show', slug])
    assert.equal(shown.code, 0, shown.stderr)
    for (const body of [created.body, shown.body]) {
      assert.deepEqual(
        body.plugins.map((p: { name: string; status: string }) => [p.name, p.status]),
        [['erp', 'enabled']]
      )
      assert.match(body.plugins[0].version, /^\d+\.\d+\.\d+/)
    }
  })

  test('create refuses invalid input with ERR_VALIDATION and the failing fields', async ({
    assert,
  }) => {
    const [reserved, malformed, badSetting, plugins] = await Promise.all([
      oryneJson(['create', 'admin', '--name', 'Admin School']),
      oryneJson(['create', 'A_b', '--name', 'Underscore School']),
      oryneJson([
        'create',
        uniqueSlug('mars'),
        '--name',
        'Mars School',
        '--setting',
        'time_zone=Mars/Olympus',
      ]),
      oryneJson([
        'create',
        uniqueSlug('nop'),
        '--name',
        'No School',
        '--plugins',
        'no-such-plugin',
      ]),
    ])
    const fields = (details: Array<{ field: string }>) => details.map((d) => d.field)
    assert.deepEqual(fields(expectFailure(assert, reserved, 'ERR_VALIDATION')), ['slug'])
    assert.deepEqual(fields(expectFailure(assert, malformed, 'ERR_VALIDATION')), ['slug'])
    assert.deepEqual(fields(expectFailure(assert, badSetting, 'ERR_VALIDATION')), [
      'settings.time_zone',
    ])
    const [plugin] = expectFailure(assert, plugins, 'ERR_VALIDATION')
    assert.equal(plugin.field, 'plugins.0')
    assert.include(plugin.message, '"no-such-plugin"')
  })

  test('--help works on every tenant level', async ({ assert }) => {
    const results = await Promise.all(
      [['tenant'], ['tenant', 'domain'], ['tenant', 'invoice'], ['tenant', 'create']].map((args) =>
        runOryne([...args, '--help'])
      )
    )
    for (const result of results) {
      assert.equal(result.code, 0, result.stderr)
      assert.match(result.stdout, /^Usage: oryne tenant/m)
    }
    assert.includeMembers(
      [...results[0].stdout.matchAll(/^ {2}([a-z-]+) /gm)].map((match) => match[1]),
      [
        'create',
        'list',
        'show',
        'suspend',
        'resume',
        'archive',
        'restore',
        'retry',
        'delete',
        'domain',
        'invoice',
        'billing-sweep',
      ]
    )
  })

  test('usage errors exit 2', async ({ assert }) => {
    const [missingName, malformedSetting] = await Promise.all([
      oryne(['create', uniqueSlug('usage')]),
      oryne(['create', uniqueSlug('usage'), '--name', 'Usage School', '--setting', 'time_zone']),
    ])
    assert.equal(missingName.code, 2)
    assert.include(missingName.stderr, "required option '--name <name>'")
    assert.equal(malformedSetting.code, 2)
    assert.include(malformedSetting.stderr, 'Expected key=value')
  })
})

test.group('oryne tenant lifecycle', () => {
  test('suspend, resume, archive, restore; delete needs archived and --yes; the slug is free again', async ({
    assert,
  }) => {
    const slug = uniqueSlug('life')
    const created = await oryneJson(['create', slug, '--name', 'Lifecycle School', '--wait'])
    assert.equal(created.body.status, 'active', created.stderr)

    for (const [action, status] of [
      ['suspend', 'suspended'],
      ['resume', 'active'],
      ['archive', 'archived'],
      ['restore', 'active'],
      ['archive', 'archived'],
    ]) {
      const result = await oryneJson([action, slug, '--reason', `${action} for the test`])
      assert.equal(result.code, 0, result.stderr)
      assert.equal(result.body.status, status, action)
    }

    const unconfirmed = await oryneJson(['delete', slug])
    expectFailure(assert, unconfirmed, 'ERR_CONFIRMATION_REQUIRED')
    assert.include(unconfirmed.body.error.hint, 'Pass --yes')
    const stillThere = await oryneJson(['show', slug])
    assert.equal(stillThere.body.status, 'archived')

    const deleted = await oryneJson(['delete', slug, '--yes', '--reason', 'closed down'])
    assert.equal(deleted.code, 0, deleted.stderr)
    assert.equal(deleted.body.status, 'deleted')
    assert.deepEqual(events(deleted.body), [
      'created',
      'provisioned',
      'suspended',
      'resumed',
      'archived',
      'restored',
      'archived',
      'deleted',
    ])
    assert.equal(deleted.body.history[2].reason, 'suspend for the test')
    assert.equal(deleted.body.history.at(-1).reason, 'closed down')
    const { rows: schemas } = await db.rawQuery(
      'SELECT 1 FROM information_schema.schemata WHERE schema_name = ?',
      [deleted.body.schema]
    )
    assert.lengthOf(schemas, 0)

    const gone = await oryneJson(['show', slug])
    expectFailure(assert, gone, 'ERR_TENANT_NOT_FOUND')

    const again = await oryneJson(['create', slug, '--name', 'Lifecycle School II', '--wait'])
    assert.equal(again.code, 0, again.stderr)
    assert.equal(again.body.status, 'active')
    assert.notEqual(again.body.id, created.body.id)

    // --force, the old spelling, still confirms (with a warning); an active tenant is refused all the same.
    const active = await oryneJson(['delete', slug, '--force'])
    expectFailure(assert, active, 'ERR_TENANT_INVALID_TRANSITION')
    assert.include(active.stderr, '--force is deprecated; pass --yes')
  })
})

test.group('oryne tenant domain', () => {
  test('adds and removes domains; a domain belongs to one tenant only', async ({ assert }) => {
    const [first, second] = [uniqueSlug('dom-a'), uniqueSlug('dom-b')]
    await Promise.all([
      oryneJson(['create', first, '--name', 'Domain School A']),
      oryneJson(['create', second, '--name', 'Domain School B']),
    ])
    const domain = `${first}.example.org`

    const added = await oryneJson(['domain', 'add', first, domain.toUpperCase()])
    assert.equal(added.code, 0, added.stderr)
    assert.deepEqual(added.body, { slug: first, domains: [domain] })

    const [taken, invalid] = await Promise.all([
      oryneJson(['domain', 'add', second, domain]),
      oryneJson(['domain', 'add', second, 'not_a_domain']),
    ])
    expectFailure(assert, taken, 'ERR_TENANT_DOMAIN_TAKEN')
    assert.deepEqual(
      expectFailure(assert, invalid, 'ERR_VALIDATION').map((d) => d.field),
      ['domain']
    )

    const removed = await oryneJson(['domain', 'remove', first, domain])
    assert.deepEqual(removed.body, { slug: first, domains: [] })
    const removedAgain = await oryneJson(['domain', 'remove', first, domain])
    expectFailure(assert, removedAgain, 'ERR_TENANT_DOMAIN_NOT_FOUND')
  })
})

test.group('oryne tenant billing', () => {
  test('payments extend paid_until; the sweep warns, suspends, and a payment resumes', async ({
    assert,
  }) => {
    const [overdue, dueSoon] = [uniqueSlug('overdue'), uniqueSlug('due-soon')]
    const createdBoth = await Promise.all([
      oryneJson(['create', overdue, '--name', 'Overdue School', '--plan', 'standard', '--wait']),
      oryneJson(['create', dueSoon, '--name', 'Due Soon School', '--plan', 'standard', '--wait']),
    ])
    for (const created of createdBoth) assert.equal(created.body.status, 'active', created.stderr)

    // Standard plan: 14 days of grace after paid_until, a warning 7 days before suspension.
    const [oldInvoice, recentInvoice] = await Promise.all([
      oryneJson([
        'invoice',
        'add',
        overdue,
        '--amount',
        '150000',
        '--currency',
        'kes',
        '--period-start',
        day(-90),
        '--period-end',
        day(-60),
      ]),
      oryneJson([
        'invoice',
        'add',
        dueSoon,
        '--amount',
        '99900',
        '--currency',
        'USD',
        '--period-start',
        day(-40),
        '--period-end',
        day(-10),
        '--due-on',
        day(-35),
        '--number',
        'INV-DUE-1',
      ]),
    ])
    assert.equal(oldInvoice.code, 0, oldInvoice.stderr)
    assert.deepInclude(oldInvoice.body, {
      number: `${overdue.toUpperCase()}-0001`,
      amount_minor: 150000,
      currency: 'KES',
      due_on: day(-90),
      status: 'open',
    })
    assert.deepInclude(recentInvoice.body, { number: 'INV-DUE-1', due_on: day(-35) })

    const [paidOld, paidRecent] = await Promise.all([
      oryneJson(['invoice', 'pay', overdue, oldInvoice.body.number]),
      oryneJson(['invoice', 'pay', dueSoon, 'INV-DUE-1', '--reference', 'BANK-42']),
    ])
    assert.equal(paidOld.body.tenant.paid_until, `${day(-60)}T23:59:59.999Z`)
    assert.equal(paidRecent.code, 0, paidRecent.stderr)
    assert.deepInclude(paidRecent.body.invoice, { status: 'paid', payment_reference: 'BANK-42' })
    assert.equal(paidRecent.body.tenant.paid_until, `${day(-10)}T23:59:59.999Z`)
    assert.equal(paidRecent.body.tenant.status, 'active')

    const sweep = await oryneJson(['billing-sweep'])
    assert.equal(sweep.code, 0, sweep.stderr)
    assert.include(sweep.body.suspended, overdue)
    assert.notInclude(sweep.body.warned, overdue)
    assert.include(sweep.body.warned, dueSoon)
    assert.notInclude(sweep.body.suspended, dueSoon)

    const [suspended, secondSweep] = await Promise.all([
      oryneJson(['show', overdue]),
      oryneJson(['billing-sweep']),
    ])
    assert.equal(suspended.body.status, 'suspended')
    assert.equal(suspended.body.history.at(-1).actor, 'system:billing')
    assert.notInclude(secondSweep.body.warned, dueSoon, 'warned once per billing period')

    const renewal = await oryneJson([
      'invoice',
      'add',
      overdue,
      '--amount',
      '150000',
      '--currency',
      'KES',
      '--period-start',
      day(-59),
      '--period-end',
      day(30),
    ])
    const paidRenewal = await oryneJson(['invoice', 'pay', overdue, renewal.body.number])
    assert.equal(paidRenewal.code, 0, paidRenewal.stderr)
    assert.equal(paidRenewal.body.tenant.status, 'active')
    assert.equal(paidRenewal.body.tenant.paid_until, `${day(30)}T23:59:59.999Z`)
    assert.equal(paidRenewal.body.tenant.history.at(-1).event, 'resumed')
  })
})

test.group('oryne tenant provisioning failures', () => {
  test('--wait exits 1 with the error when provisioning fails; retry --wait recovers', async ({
    assert,
  }) => {
    const slug = uniqueSlug('fails')
    // Real processes on queues nothing works (a worker of this process, when the run has one,
    // would provision the tenant or fail it a second time): provisioning waits for the sabotage.
    const env = ownQueues('fails')
    const queued = await oryneJson(
      ['create', slug, '--name', 'Failing School'],
      env,
      runOryneProcess
    )
    assert.equal(queued.body.status, 'provisioning', queued.stderr)
    await db.rawQuery(`CREATE SCHEMA "${queued.body.schema}"`)
    await db.rawQuery(`CREATE TABLE "${queued.body.schema}".users (id int)`)

    const failed = await oryneJson(['retry', slug, '--wait'], env, runOryneProcess)
    assert.equal(failed.code, 1)
    assert.equal(failed.body.status, 'failed')
    assert.equal(failed.body.provisioning.step, 'migrate')
    assert.include(failed.body.provisioning.error, 'users')
    assert.equal(failed.body.history.at(-1).event, 'failed')

    await db.rawQuery(`DROP SCHEMA "${queued.body.schema}" CASCADE`)
    const retried = await oryneJson(['retry', slug, '--wait'], env, runOryneProcess)
    assert.equal(retried.code, 0, retried.stderr)
    assert.equal(retried.body.status, 'active')
    assert.deepEqual(events(retried.body), ['created', 'failed', 'retry', 'provisioned'])
  })

  test('a crash at any provisioning step is recovered by retry, provisioning once, plugins included', async ({
    assert,
  }) => {
    const steps = [
      'create_schema',
      'migrate',
      'seed',
      'admin',
      'plugins',
      'activate',
      'after_commit',
    ]
    const tenants = steps.map((step) => ({ step, slug: uniqueSlug(step.replace('_', '-')) }))
    for (const { step, slug } of tenants) {
      // A real process that kills itself at the step, on queues of its own: the job it queued
      // is left for the retry below, not for a worker of this process.
      const crashed = await oryne(
        [
          'create',
          slug,
          '--name',
          'Crash School',
          '--admin-email',
          'head@crash.example.org',
          '--plugins',
          'lms',
          '--wait',
          '--json',
        ],
        { ...ownQueues(`crash-${step}`), ORYNE_FAILPOINTS: `provision:${step}` },
        runOryneProcess
      )
      assert.notEqual(crashed.code, 0, `${step}: the child should have died`)
      // Everything before the commit is rolled back with the crash: no schema is left behind.
      const tenant = await db
        .from('tenants')
        .where('slug', slug)
        .whereNot('status', 'deleted')
        .first()
      const { rows: schemas } = await db.rawQuery(
        'SELECT 1 FROM information_schema.schemata WHERE schema_name = ?',
        [tenant.schema_name]
      )
      assert.equal(tenant.status, step === 'after_commit' ? 'active' : 'provisioning', step)
      assert.lengthOf(schemas, step === 'after_commit' ? 1 : 0, step)
    }

    // Provisioning here; a second run of the job, if a worker also takes it, finds the tenant active.
    const retried = await Promise.all(
      tenants.map(({ slug }) => oryneJson(['retry', slug, '--wait']))
    )
    const shown = await Promise.all(tenants.map(({ slug }) => oryneJson(['show', slug])))

    tenants.forEach(({ step }, index) => {
      if (step === 'after_commit') {
        // The crash came after the commit: the tenant is already active.
        expectFailure(assert, retried[index], 'ERR_TENANT_INVALID_TRANSITION')
      } else {
        assert.equal(retried[index].code, 0, `${step}: ${retried[index].stderr}`)
        assert.equal(retried[index].body.status, 'active', step)
      }
      assert.equal(shown[index].body.status, 'active', step)
      // Active means usable: the plugins asked for at creation (and their dependencies) are enabled.
      assert.sameMembers(
        shown[index].body.plugins
          .filter((plugin: { status: string }) => plugin.status === 'enabled')
          .map((plugin: { name: string }) => plugin.name),
        ['erp', 'lms'],
        step
      )
      assert.lengthOf(
        events(shown[index].body).filter((event) => event === 'provisioned'),
        1,
        step
      )
    })
  }).timeout(180_000)
})

test.group('oryne tenant create --wait beside a running worker', () => {
  test('prints an invite token the admin can accept when a worker provisioned first', async ({
    assert,
    cleanup,
  }) => {
    const http = await listen(app, { host: '127.0.0.1', port: 0 })
    cleanup(() => new Promise<void>((resolve) => http.server.close(() => resolve())))
    // The worker and the CLI share queues of their own: the worker takes the job the CLI queues.
    const env = ownQueues('worker-invite')
    const worker = startOryne(['worker', '--no-schedules'], { ...env, LOG_LEVEL: 'info' })
    cleanup(async () => void (await worker.stop('SIGKILL')))
    await worker.waitFor(/Oryne worker/)

    // The CLI waits a moment before provisioning, so the worker gets there first (the race `oryne up` loses).
    const slug = uniqueSlug('race')
    const created = await oryneJson(
      ['create', slug, '--name', 'Race School', '--admin-email', `head@${slug}.example`, '--wait'],
      { ...env, ORYNE_PAUSEPOINTS: 'tenant:before_provision_here=1500' },
      runOryneProcess
    )
    assert.equal(created.code, 0, created.stderr)
    assert.equal(created.body.status, 'active')
    const provisionedByWorker = worker
      .output()
      .split('\n')
      .some((line) => line.includes('tenant admin invited') && line.includes(created.body.id))
    assert.isTrue(provisionedByWorker, worker.output())

    const token = created.body.admin_invite_token
    assert.isString(token, 'no invite token printed')
    assert.notInclude(created.stderr, token)
    const accepted = await fetch(`${http.url}/api/v1/auth/invite/accept`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-tenant-id': slug },
      body: JSON.stringify({ token, password: PASSWORD }),
    })
    assert.equal(accepted.status, 200, await accepted.clone().text())
    assert.isString(((await accepted.json()) as any).data.access_token)

    // Once accepted, a later --wait has nothing to hand out: no token that would reset the admin.
    const provisioner = (await app.container.make('oryne.tenancy')).provisioner
    const tenant = await (await app.container.make('oryne.tenancy')).registry.findOrFail(slug)
    assert.isNull(await provisioner.reinvitePendingAdmin(tenant))
  }).timeout(180_000)
})
