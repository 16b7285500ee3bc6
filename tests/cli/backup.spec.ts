import { test } from '@japa/runner'
import { randomBytes } from 'node:crypto'
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises'
import { existsSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import getPort from 'get-port'
import app from '@adonisjs/core/services/app'
import db from '@adonisjs/lucid/services/db'
import tenancy from '#core/services/tenancy'
import { apiKeys } from '#core/auth/api_keys'
import { identity } from '#core/auth/identity'
import type { TokenPair } from '#core/auth/types'
import { listen } from '#core/http/listen'
import { tenantContext } from '#core/tenancy/context'
import { withTenantDb } from '#core/tenancy/tenant_db'
import { createEndpoint, endpointSecret } from '#core/webhooks/endpoints'
import { PASSWORD } from '#tests/support/auth'
import { addEntry, readAll, readArchive, writeArchive } from '#core/backup/archive'
import { tenantFilesDir } from '#core/backup/paths'
import { runOryne, runOryneProcess, startOryne, type CliResult } from '#tests/support/cli'
import { activeTenant, addUsers, uniqueSlug } from '#tests/support/tenants'
import type { Tenant } from '#core/tenancy/types'

/**
 * A backup directory of this file's own (ORYNE_BACKUP_DIR is read per archive,
 * so the commands run in this process too). Tenants' files live in the run's
 * storage directory, as the commands and the server find them.
 */
const root = await mkdtemp(join(tmpdir(), 'oryne-backup-test-'))
const BACKUPS = join(root, 'backups')

const env = () => ({ ORYNE_BACKUP_DIR: BACKUPS })

async function oryne(args: string[], extra: Record<string, string> = {}) {
  return withBody(args, await runOryne(args, { ...env(), ...extra }, 120_000))
}

function withBody(args: string[], result: CliResult) {
  let body: any = null
  if (args.includes('--json')) {
    try {
      body = JSON.parse(result.stdout)
    } catch {
      throw new Error(
        `oryne ${args.join(' ')} printed no JSON:\n${result.stdout}\n${result.stderr}`
      )
    }
  }
  return { ...result, body }
}

const filesOf = tenantFilesDir

/**
 * A tenant with users, the fleet-probe plugin and rows of every awkward kind
 * (tabs, newlines, backslashes, unicode, NULLs, JSON, bytes), a gap in its
 * sequence, and two files.
 */
async function schoolWithData() {
  const tenant = await activeTenant()
  const plugins = await app.container.make('oryne.plugins')
  await plugins.enable(tenant, ['fleet-probe'], { actor: 'test' })
  await addUsers(tenant, 30)
  const rows = Array.from({ length: 300 }, (_, i) => ({
    label: i % 7 === 0 ? `tab\there\nnewline \\ back "quote" ünïcødé ${i}` : `item ${i}`,
    amount_minor: i % 5 === 0 ? null : i * 125,
    data: i % 3 === 0 ? null : JSON.stringify({ i, nested: { ok: i % 2 === 0 }, list: [1, 'two'] }),
    blob: i % 4 === 0 ? null : randomBytes(16),
    flag: i % 2 === 0,
  }))
  await db.table(`${tenant.schema_name}.probe_items`).multiInsert(rows)
  await db.from(`${tenant.schema_name}.probe_items`).where('id', '>', 290).delete()
  await mkdir(join(filesOf(tenant.id), 'reports/2026'), { recursive: true })
  await writeFile(join(filesOf(tenant.id), 'reports/2026/term 1.pdf'), randomBytes(50_000))
  await writeFile(join(filesOf(tenant.id), 'logo.txt'), 'Riverside School\n')
  return tenant
}

/**
 * The credential columns a copy under a new slug changes (core/backup/credentials.ts):
 * compared without them, a copy holds the original's content.
 */
const CREDENTIAL_COLUMNS: Record<string, string[]> = {
  users: ['invite_token_hash', 'invite_expires_at'],
  auth_sessions: ['revoked_at', 'revoked_reason'],
  password_resets: ['used_at'],
  mfa_challenges: ['used_at'],
  api_keys: ['revoked_at'],
  webhook_endpoints: [
    'secret',
    'status',
    'disabled_at',
    'disabled_reason',
    'failing_since',
    'updated_at',
  ],
}

/** Row count and an md5 of every row (less the columns in `omit`), per table of a tenant's schema. */
async function contentOf(schema: string, omit: Record<string, string[]> = {}) {
  const { rows: tables } = await db.rawQuery(
    `SELECT table_name FROM information_schema.tables
      WHERE table_schema = ? AND table_type = 'BASE TABLE' ORDER BY table_name`,
    [schema]
  )
  const content: Record<string, { rows: number; md5: string | null }> = {}
  for (const { table_name: table } of tables) {
    const row = omit[table] ? `(to_jsonb(t) - ?::text[])::text` : 't::text'
    const { rows } = await db.rawQuery(
      `SELECT count(*)::int AS rows, md5(string_agg(${row}, E'\\n' ORDER BY ${row})) AS md5
         FROM "${schema}"."${table}" t`,
      omit[table] ? [omit[table], omit[table]] : []
    )
    content[table] = rows[0]
  }
  return content
}

async function tenantBySlug(slug: string) {
  return tenancy.registry.find(slug)
}

async function backup(tenant: Tenant, extra: string[] = []) {
  const created = await oryne(['backup', 'create', tenant.slug, '--json', ...extra])
  if (created.code !== 0) throw new Error(`backup failed: ${created.stdout}\n${created.stderr}`)
  return created.body as {
    path: string
    sha256: string
    rows: number
    files: number
    tables: number
  }
}

/** Rewrites an archive entry by entry (still a valid tar.gz), changing what `change` returns. */
async function rewrite(file: string, change: (name: string, content: Buffer) => Buffer) {
  const entries: Array<[string, Buffer]> = []
  await readArchive(file, async (name, body) => {
    entries.push([name, await readAll(body)])
  })
  const out = join(root, `rewritten-${randomBytes(4).toString('hex')}.tar.gz`)
  await writeArchive(out, {}, async (pack) => {
    for (const [name, content] of entries) await addEntry(pack, name, change(name, content))
  })
  return out
}

function editManifest(edit: (manifest: any) => void) {
  return (name: string, content: Buffer) => {
    if (name !== 'manifest.json') return content
    const manifest = JSON.parse(content.toString('utf8'))
    edit(manifest)
    return Buffer.from(JSON.stringify(manifest))
  }
}

async function restoringSchemasLeft() {
  const { rows } = await db.rawQuery(
    `SELECT count(*)::int AS n FROM pg_namespace WHERE nspname LIKE 't_restore_%'`
  )
  return rows[0].n as number
}

test.group('oryne backup', (group) => {
  let started: Date
  group.setup(async () => {
    started = (await db.rawQuery('SELECT now() AS now')).rows[0].now
  })
  group.teardown(async () => {
    // The files of every tenant made here, restored and cloned ones included.
    const made = await db.from('tenants').where('created_at', '>=', started).select('id')
    await Promise.all(made.map(({ id }) => rm(filesOf(id), { recursive: true, force: true })))
    await rm(root, { recursive: true, force: true })
  })

  test('backup, delete the tenant, restore: same rows, same checksums, files back', async ({
    assert,
  }) => {
    const tenant = await schoolWithData()
    const before = await contentOf(tenant.schema_name)
    const pdf = await readFile(join(filesOf(tenant.id), 'reports/2026/term 1.pdf'))

    const created = await backup(tenant)
    assert.isTrue(created.path.startsWith(join(BACKUPS, tenant.id)))
    assert.equal(created.files, 2)
    assert.equal(
      created.rows,
      Object.values(before).reduce((sum, t) => sum + t.rows, 0)
    )
    assert.equal((await stat(created.path)).size, (created as any).size)

    // The archive does not name the schema: it can be restored under any tenant.
    const { readManifest } = await import('#core/backup/restore')
    const manifest = await readManifest(created.path)
    assert.notInclude(JSON.stringify(manifest), tenant.schema_name)
    assert.deepEqual(
      manifest.plugins.map((p) => p.name),
      ['fleet-probe']
    )
    assert.includeMembers(
      manifest.ledger.map((r) => `${r.owner}/${r.name}`),
      ['core/0001_identity', 'fleet-probe/0001_probe_items']
    )
    const items = manifest.tables.find((t) => t.name === 'probe_items')!
    assert.equal(items.rows, 290)
    assert.match(items.sha256, /^[0-9a-f]{64}$/)

    const verified = await oryne(['backup', 'verify', created.path, '--json'])
    assert.equal(verified.code, 0, verified.stdout)
    assert.include(verified.body, { ok: true, tenant: tenant.slug, files: 2 })

    await tenancy.archive(tenant.slug, 'test')
    await tenancy.delete(tenant.slug, 'test', { force: true })
    await rm(filesOf(tenant.id), { recursive: true, force: true })
    assert.isNull(await tenantBySlug(tenant.slug))

    // A real process: the restore a platform admin runs after losing a tenant.
    const restoring = ['backup', 'restore', created.path, '--json']
    const restored = withBody(restoring, await runOryneProcess(restoring, env(), 120_000))
    assert.equal(restored.code, 0, restored.stdout + restored.stderr)
    assert.include(restored.body, { tenant: tenant.slug, mode: 'created', files: 2 })
    const back = (await tenantBySlug(tenant.slug))!
    assert.equal(back.status, 'active')
    assert.notEqual(back.id, tenant.id)
    assert.deepEqual(await contentOf(back.schema_name), before)
    assert.deepEqual(await readFile(join(filesOf(back.id), 'reports/2026/term 1.pdf')), pdf)
    assert.equal(await readFile(join(filesOf(back.id), 'logo.txt'), 'utf8'), 'Riverside School\n')

    // The plugin is enabled again and the sequences go on after the restored rows.
    const plugins = await app.container.make('oryne.plugins')
    assert.isTrue(await plugins.isEnabled(back.id, 'fleet-probe'))
    const [next] = await db
      .table(`${back.schema_name}.probe_items`)
      .insert({ label: 'after restore' })
      .returning('id')
    assert.isAbove(next.id, 300)

    const listed = await oryne(['backup', 'list', tenant.slug, '--json'])
    assert.equal(listed.code, 0)
    assert.deepEqual(
      listed.body.map((b: any) => [b.path, b.present, b.sha256]),
      [[created.path, true, created.sha256]]
    )
    assert.equal(await restoringSchemasLeft(), 0)
  }).timeout(120_000)

  test('restore --as a new slug and clone while the original keeps serving', async ({
    assert,
    cleanup,
  }) => {
    const tenant = await schoolWithData()
    const before = await contentOf(tenant.schema_name, CREDENTIAL_COLUMNS)
    const created = await backup(tenant)

    const port = await getPort()
    const server = startOryne(['serve', '--port', String(port), '--host', '127.0.0.1'], env())
    cleanup(async () => void (await server.stop('SIGKILL')))
    await server.waitFor(/listening on/)
    const profile = (slug: string) =>
      fetch(`http://127.0.0.1:${port}/api/v1/tenant`, { headers: { 'x-tenant-id': slug } })

    const copy = uniqueSlug('copy')
    let serving = true
    const statuses: number[] = []
    const polling = (async () => {
      while (serving) {
        statuses.push((await profile(tenant.slug)).status)
        // Slow enough that the anonymous rate limit (per address) turns few polls away.
        await new Promise((resolve) => setTimeout(resolve, 200))
      }
    })()
    const restored = await oryne(['backup', 'restore', created.path, '--as', copy, '--json'])
    const cloneSlug = uniqueSlug('clone')
    const cloned = await oryne(['tenant', 'clone', tenant.slug, cloneSlug, '--json'])
    serving = false
    await polling
    // And after both: the original still answers (polls during them depend on how fast they are),
    // waiting out the anonymous rate limit other specs of the run share with this address.
    for (let attempt = 0; attempt < 10; attempt++) {
      const after = await profile(tenant.slug)
      statuses.push(after.status)
      if (after.status !== 429) break
      const wait = Math.min(Number(after.headers.get('retry-after')) || 1, 3)
      await new Promise((resolve) => setTimeout(resolve, wait * 1000))
    }

    assert.equal(restored.code, 0, restored.stdout)
    assert.include(restored.body, { tenant: copy, mode: 'created' })
    assert.equal(cloned.code, 0, cloned.stdout)
    assert.include(cloned.body, { tenant: cloneSlug, files: 2 })
    // Served throughout (the server's rate limit may turn a poll away, never an error). How many polls
    // fit depends on how fast restore and clone are, so only "every answered one is 200" is asserted.
    assert.isAbove(statuses.length, 1)
    assert.deepEqual(
      [...new Set(statuses)].filter((status) => status !== 429),
      [200],
      statuses.join(' ')
    )

    for (const slug of [copy, cloneSlug]) {
      const other = (await tenantBySlug(slug))!
      assert.notEqual(other.id, tenant.id)
      assert.deepEqual(await contentOf(other.schema_name, CREDENTIAL_COLUMNS), before)
      assert.isTrue(existsSync(join(filesOf(other.id), 'logo.txt')))
      assert.equal((await profile(slug)).status, 200)
    }
    assert.deepEqual(await contentOf(tenant.schema_name, CREDENTIAL_COLUMNS), before)

    const taken = await oryne(['backup', 'restore', created.path, '--as', copy, '--json'])
    assert.equal(taken.code, 1)
    assert.equal(taken.body.error.code, 'ERR_TENANT_SLUG_TAKEN')
    const invalid = await oryne(['backup', 'restore', created.path, '--as', 'Not A Slug', '--json'])
    assert.equal(invalid.body.error.code, 'ERR_VALIDATION')
  }).timeout(180_000)

  test('restoring over a live tenant needs --yes, then brings back the backed-up state', async ({
    assert,
  }) => {
    const tenant = await schoolWithData()
    const before = await contentOf(tenant.schema_name)
    const created = await backup(tenant, ['--no-files'])
    await db
      .table(`${tenant.schema_name}.probe_items`)
      .insert({ label: 'written after the backup' })
    await writeFile(join(filesOf(tenant.id), 'later.txt'), 'kept: the archive has no files')

    const refused = await oryne(['backup', 'restore', created.path, '--json'])
    assert.equal(refused.code, 1)
    assert.equal(refused.body.error.code, 'ERR_CONFIRMATION_REQUIRED')
    assert.include(refused.body.error.hint, 'Pass --yes')
    assert.notDeepEqual(await contentOf(tenant.schema_name), before)

    const replaced = await oryne(['backup', 'restore', created.path, '--yes', '--json'])
    assert.equal(replaced.code, 0, replaced.stdout)
    assert.include(replaced.body, { mode: 'replaced', tenant_id: tenant.id })
    assert.deepEqual(await contentOf(tenant.schema_name), before)
    assert.isTrue(existsSync(join(filesOf(tenant.id), 'later.txt')))
  }).timeout(120_000)

  test('a restore under a new slug and a clone keep no credential of the original; a restore in place ends sessions', async ({
    assert,
    cleanup,
  }) => {
    const http = await listen(app, { host: '127.0.0.1', port: 0 })
    cleanup(() => new Promise<void>((resolve) => http.server.close(() => resolve())))
    const call = (slug: string, path: string, init: { headers?: object; body?: object } = {}) =>
      fetch(`${http.url}/api/v1${path}`, {
        method: init.body ? 'POST' : 'GET',
        headers: { 'content-type': 'application/json', 'x-tenant-id': slug, ...init.headers },
        body: init.body ? JSON.stringify(init.body) : undefined,
      }).then(async (response) => ({
        status: response.status,
        body: (await response.json()) as any,
      }))

    // Before the backup: a signed-in admin, a pending invite, a partner key and a webhook endpoint.
    const tenant = await activeTenant()
    const email = `head@${tenant.slug}.example`
    const live = await tenantContext.run(tenant, async () => {
      await identity.tenantUsers.create({ email, roles: ['TenantAdmin'], password: PASSWORD })
      const tokens = (await identity.tenant.login(email, PASSWORD)) as TokenPair
      const invited = await identity.tenantUsers.create({
        email: `new@${tenant.slug}.example`,
        role: 'Teacher',
        sendInvitation: false,
      })
      const key = await apiKeys.create(
        { name: 'Partner', scopes: ['core.users.read'] },
        { actor: 'test' }
      )
      const endpoint = await createEndpoint(
        { url: 'https://receiver.example/hooks', events: ['*'] },
        'test'
      )
      return { tokens, invite: invited.inviteToken!, key: key.key, endpoint }
    })
    const created = await backup(tenant, ['--no-files'])

    const copy = uniqueSlug('copy')
    const restored = await oryne(['backup', 'restore', created.path, '--as', copy, '--json'])
    assert.equal(restored.code, 0, restored.stdout)
    const cloneSlug = uniqueSlug('clone')
    const cloned = await oryne(['tenant', 'clone', tenant.slug, cloneSlug, '--json'])
    assert.equal(cloned.code, 0, cloned.stdout)

    for (const [slug, result] of [
      [copy, restored],
      [cloneSlug, cloned],
    ] as const) {
      assert.deepEqual(result.body.credentials, {
        sessions_ended: 1,
        invites_cancelled: 2,
        password_resets_cancelled: 0,
        mfa_challenges_cancelled: 0,
        api_keys_revoked: 1,
        webhook_endpoints_rekeyed: 1,
      })
      const refreshed = await call(slug, '/auth/refresh', {
        body: { refresh_token: live.tokens.refresh_token },
      })
      assert.equal(refreshed.status, 401, slug)
      assert.equal(refreshed.body.error.code, 'ERR_AUTH_SESSION_ENDED', slug)
      // An access token names its tenant by id: the copy has another one.
      const me = await call(slug, '/auth/me', {
        headers: { authorization: `Bearer ${live.tokens.access_token}` },
      })
      assert.equal(me.body.error.code, 'ERR_AUTH_TENANT_MISMATCH', slug)
      const byKey = await call(slug, '/admin/users', { headers: { 'x-api-key': live.key } })
      assert.equal(byKey.status, 401, slug)
      assert.equal(byKey.body.error.code, 'ERR_AUTH_API_KEY_REVOKED', slug)
      const accepted = await call(slug, '/auth/invite/accept', {
        body: { token: live.invite, password: PASSWORD },
      })
      assert.equal(accepted.body.error.code, 'ERR_AUTH_INVITE_INVALID', slug)

      const other = (await tenantBySlug(slug))!
      const endpoint = await tenantContext.run(other, () =>
        withTenantDb((trx) => trx.from('webhook_endpoints').where('id', live.endpoint.id).first())
      )
      assert.equal(endpoint.status, 'disabled', slug)
      assert.include(endpoint.disabled_reason, `copied from tenant ${tenant.slug}`)
      assert.notEqual(endpointSecret(endpoint), live.endpoint.secret, slug)
    }

    // The original was never touched: its credentials were live all along.
    const original = await call(tenant.slug, '/auth/refresh', {
      body: { refresh_token: live.tokens.refresh_token },
    })
    assert.equal(original.status, 200, JSON.stringify(original.body))
    const stillKeyed = await call(tenant.slug, '/admin/users', {
      headers: { 'x-api-key': live.key },
    })
    assert.equal(stillKeyed.status, 200)

    // In place: the archive's sessions end (a session ended since the backup would come back), keys stay.
    const replaced = await oryne(['backup', 'restore', created.path, '--yes', '--json'])
    assert.equal(replaced.code, 0, replaced.stdout)
    assert.deepEqual(replaced.body.credentials, {
      sessions_ended: 1,
      invites_cancelled: 0,
      password_resets_cancelled: 0,
      mfa_challenges_cancelled: 0,
    })
    const afterInPlace = await call(tenant.slug, '/auth/me', {
      headers: { authorization: `Bearer ${live.tokens.access_token}` },
    })
    assert.equal(afterInPlace.status, 401)
    const keyAfterInPlace = await call(tenant.slug, '/admin/users', {
      headers: { 'x-api-key': live.key },
    })
    assert.equal(keyAfterInPlace.status, 200)
    const told = await oryne(['backup', 'restore', created.path, '--yes'])
    assert.equal(told.code, 0, told.stderr)
    assert.match(told.stdout, /Credentials: 1 sessions ended \(everyone signs in again\)/)
  }).timeout(180_000)

  test('corrupted, truncated and tampered archives are refused; nothing is restored', async ({
    assert,
  }) => {
    const tenant = await schoolWithData()
    const created = await backup(tenant)
    const bytes = await readFile(created.path)

    const flipped = Buffer.from(bytes)
    flipped[Math.floor(flipped.length / 2)] ^= 0xff
    const corrupted = join(root, 'corrupted.tar.gz')
    await writeFile(corrupted, flipped)
    const truncated = join(root, 'truncated.tar.gz')
    await writeFile(truncated, bytes.subarray(0, Math.floor(bytes.length * 0.6)))
    const notAnArchive = join(root, 'notes.txt')
    await writeFile(notAnArchive, 'not a backup')
    // A valid tar.gz whose table no longer matches the manifest's sha256.
    const tampered = await rewrite(created.path, (name, content) =>
      name === 'manifest.json'
        ? content
        : Buffer.from(content.toString().replace('item 1', 'item X'))
    )

    for (const file of [corrupted, truncated, notAnArchive, tampered]) {
      const verified = await oryne(['backup', 'verify', file, '--json'])
      assert.equal(verified.code, 1, file)
      assert.equal(verified.body.error.code, 'ERR_BACKUP_CORRUPT', file)

      const slug = uniqueSlug('bad')
      const restored = await oryne(['backup', 'restore', file, '--as', slug, '--json'])
      assert.equal(restored.code, 1, file)
      assert.equal(restored.body.error.code, 'ERR_BACKUP_CORRUPT', file)
      assert.isNull(await tenantBySlug(slug))
    }
    assert.equal(await restoringSchemasLeft(), 0)

    const missing = await oryne(['backup', 'verify', join(root, 'nowhere.tar.gz'), '--json'])
    assert.equal(missing.body.error.code, 'ERR_BACKUP_NOT_FOUND')
  }).timeout(180_000)

  test('archives from a newer Oryne or plugin, or needing a missing plugin, are refused', async ({
    assert,
  }) => {
    const tenant = await schoolWithData()
    const created = await backup(tenant)
    const cases = [
      [editManifest((m) => (m.oryne_version = '99.0.0')), 'ERR_BACKUP_DOWNGRADE', /Oryne 99\.0\.0/],
      [
        editManifest((m) => (m.plugins[0].version = '9.0.0')),
        'ERR_BACKUP_DOWNGRADE',
        /plugin fleet-probe 9\.0\.0 \(installed 1\.0\.0\)/,
      ],
      [
        editManifest((m) =>
          m.ledger.push({
            owner: 'core',
            name: '9999_future',
            checksum: 'x',
            batch: 9,
            applied_at: m.created_at,
          })
        ),
        'ERR_BACKUP_DOWNGRADE',
        /core\/9999_future/,
      ],
      [
        editManifest((m) =>
          m.plugins.push({ name: 'ghost', version: '1.0.0', status: 'enabled', settings: {} })
        ),
        'ERR_BACKUP_INCOMPATIBLE',
        /ghost/,
      ],
    ] as const
    for (const [edit, code, message] of cases) {
      const file = await rewrite(created.path, edit)
      const verified = await oryne(['backup', 'verify', file, '--json'])
      assert.equal(verified.code, 1)
      assert.equal(verified.body.error.code, code)
      assert.match(verified.body.error.message, message)

      const slug = uniqueSlug('old')
      const restored = await oryne(['backup', 'restore', file, '--as', slug, '--json'])
      assert.equal(restored.body.error.code, code)
      assert.isNull(await tenantBySlug(slug))
    }
  }).timeout(180_000)

  test('--encrypt: restorable with the key only', async ({ assert }) => {
    const tenant = await schoolWithData()
    const created = await backup(tenant, ['--encrypt'])
    const head = (await readFile(created.path)).subarray(0, 8).toString()
    assert.equal(head, 'ORYNEENC')
    const verified = await oryne(['backup', 'verify', created.path, '--json'])
    assert.equal(verified.code, 0, verified.stdout)

    const wrongKey = await oryne(['backup', 'verify', created.path, '--json'], {
      ORYNE_BACKUP_KEY: randomBytes(32).toString('base64'),
    })
    assert.equal(wrongKey.code, 1)
    assert.equal(wrongKey.body.error.code, 'ERR_BACKUP_CORRUPT')
    assert.match(wrongKey.body.error.message, /another key/)

    const usage = await oryne(['backup', 'create'])
    assert.equal(usage.code, 2)
    const unknown = await oryne(['backup', 'create', 'no-such-school', '--json'])
    assert.equal(unknown.body.error.code, 'ERR_TENANT_NOT_FOUND')
  }).timeout(120_000)
})
