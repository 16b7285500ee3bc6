import { test } from '@japa/runner'
import { randomUUID } from 'node:crypto'
import { Settings } from 'luxon'
import {
  addDays,
  crudPermissions,
  daysBetween,
  defineError,
  defineIdParam,
  defineResource,
  field,
  isoDate,
  isUniqueViolation,
  onUniqueViolation,
  OryneError,
  tenantDate,
  tenantToday,
  tenantZone,
  vine,
  vineId,
  type HttpContext,
  type Tenant,
} from '@oryne/sdk'
import { asTenant, tenantDb, testTenant } from '@oryne/sdk/testing'

/** `fn` with Luxon's clock stopped at `iso` (what DateTime.now() answers). */
async function at<T>(iso: string, fn: () => T | Promise<T>): Promise<T> {
  const now = Settings.now
  Settings.now = () => Date.parse(iso)
  try {
    return await fn()
  } finally {
    Settings.now = now
  }
}

/** The same tenant, read in another time zone (its `time_zone` setting). */
const inZone = (tenant: Tenant, zone: string): Tenant => ({
  ...tenant,
  settings: { ...tenant.settings, time_zone: zone },
})

let tenant: Tenant
const school = async () => (tenant ??= await testTenant())

test.group('SDK: dates in the tenant’s time zone', () => {
  test('at 23:30 UTC a school in UTC+14 is already on tomorrow, one in UTC-10 still on today', async ({
    assert,
  }) => {
    const base = await school()
    const kiritimati = inZone(base, 'Pacific/Kiritimati')
    const honolulu = inZone(base, 'Pacific/Honolulu')
    await at('2026-03-10T23:30:00Z', () => {
      assert.equal(
        asTenant(kiritimati, () => tenantToday()),
        '2026-03-11'
      )
      assert.equal(
        asTenant(honolulu, () => tenantToday()),
        '2026-03-10'
      )
      assert.equal(
        asTenant(inZone(base, ''), () => [tenantZone(), tenantToday()].join(' ')),
        'UTC 2026-03-10'
      )
    })
    // An instant's local day: 10:30 UTC is still the evening before in Honolulu.
    assert.equal(
      asTenant(honolulu, () => tenantDate('2026-03-11T05:30:00Z')),
      '2026-03-10'
    )
    assert.equal(
      asTenant(kiritimati, () => tenantDate(new Date('2026-03-10T10:00:00Z'))),
      '2026-03-11'
    )
  })

  test('date columns read back as YYYY-MM-DD and days count across months and leap days', async ({
    assert,
  }) => {
    const base = await school()
    const stored = await tenantDb(base, async (trx) => {
      const { rows } = await trx.rawQuery(`SELECT DATE '2028-02-29' AS day`)
      return rows[0].day
    })
    assert.equal(isoDate(stored), '2028-02-29')
    assert.equal(isoDate('2028-02-29T00:00:00.000Z'), '2028-02-29')
    assert.equal(addDays('2028-02-28', 1), '2028-02-29')
    assert.equal(addDays('2028-03-01', -1), '2028-02-29')
    assert.equal(daysBetween('2028-02-01', '2028-03-01'), 29)
    assert.equal(daysBetween('2028-03-01', '2028-02-01'), -29)
  })
})

test.group('SDK: unique violations', () => {
  const insertUser = (email: string) => (trx: any) =>
    trx.insertQuery().table('users').insert({ id: randomUUID(), email, name: 'Twin' })

  test('a duplicate insert is ERR_CONFLICT (409) naming the field', async ({ assert }) => {
    const base = await school()
    const email = `twin-${randomUUID()}@example.org`
    await tenantDb(base, (trx) => onUniqueViolation(insertUser(email)(trx)))
    const error = await tenantDb(base, (trx) => onUniqueViolation(insertUser(email)(trx))).then(
      () => null,
      (thrown) => thrown
    )
    assert.instanceOf(error, OryneError)
    assert.equal(error.code, 'ERR_CONFLICT')
    assert.equal(error.status, 409)
    assert.deepEqual(error.details, [
      { field: 'email', rule: 'unique', message: 'This email is already used by another record' },
    ])
  })

  test('the caller’s answer wins: its own error, or a value such as null', async ({ assert }) => {
    const base = await school()
    const email = `twin-${randomUUID()}@example.org`
    await tenantDb(base, (trx) => insertUser(email)(trx))
    const E_TWIN = defineError('ERR_SDK_SPEC_TWIN', 409, 'Twin %s', 'Pick another email.')
    const thrown = await tenantDb(base, (trx) =>
      onUniqueViolation(insertUser(email)(trx), () => new E_TWIN([email]))
    ).then(
      () => null,
      (error: OryneError) => error
    )
    assert.instanceOf(thrown, E_TWIN)
    assert.equal(thrown?.code, 'ERR_SDK_SPEC_TWIN')
    const answered = await tenantDb(base, (trx) =>
      onUniqueViolation(insertUser(email)(trx), () => null)
    )
    assert.isNull(answered)
  })

  test('another constraint, or another error, passes through untouched', async ({ assert }) => {
    const base = await school()
    const email = `twin-${randomUUID()}@example.org`
    await tenantDb(base, (trx) => insertUser(email)(trx))
    const other = await tenantDb(base, (trx) =>
      onUniqueViolation(insertUser(email)(trx), () => null, 'some_other_constraint')
    ).catch((error) => error)
    assert.isTrue(isUniqueViolation(other))
    assert.isTrue(isUniqueViolation(other, 'users_email_unique'))
    assert.isFalse(isUniqueViolation(other, 'some_other_constraint'))
    const notNull = await tenantDb(base, (trx) =>
      onUniqueViolation(trx.insertQuery().table('users').insert({ id: randomUUID() }), () => null)
    ).catch((error) => error)
    assert.equal(notNull.code, '23502')
    assert.isFalse(isUniqueViolation(notNull))
  })
})

test.group('SDK: ids and CRUD permissions', () => {
  test('a route id of digits passes; anything else is the plugin’s not-found error', async ({
    assert,
  }) => {
    const E_THING = defineError('ERR_SDK_SPEC_THING', 404, '%s "%s" not found', 'Check the id.')
    const param = defineIdParam(E_THING)
    const ctx = (params: Record<string, unknown>) => ({ params }) as unknown as HttpContext
    assert.equal(param(ctx({ id: '123456789012345678' }), 'Thing'), '123456789012345678')
    assert.equal(param(ctx({ title_id: '7' }), 'Title', 'title_id'), '7')
    for (const junk of ['12a', '-1', '1.5', '', '1234567890123456789', "1'; DROP TABLE x"]) {
      const error = (() => {
        try {
          param(ctx({ id: junk }), 'Thing')
        } catch (thrown) {
          return thrown as OryneError
        }
      })()
      assert.instanceOf(error, E_THING, junk)
      assert.equal(error!.status, 404)
    }
    const long = 'x'.repeat(100)
    try {
      param(ctx({ id: long }), 'Thing')
    } catch (thrown) {
      assert.equal((thrown as OryneError).message, `Thing "${'x'.repeat(40)}" not found`)
    }
    const small = defineIdParam(E_THING, { digits: 9 })
    assert.equal(small(ctx({ v: '999999999' }), 'Version', 'v'), '999999999')
    assert.throws(() => small(ctx({ v: '1000000000' }), 'Version', 'v'))
  })

  test('vineId takes digit strings and refuses the rest', async ({ assert }) => {
    const schema = vine.compile(vine.object({ room_id: vineId() }))
    assert.deepEqual(await schema.validate({ room_id: ' 42 ' }), { room_id: '42' })
    for (const junk of ['4x', 42, '', '1234567890123456789']) {
      await assert.rejects(() => schema.validate({ room_id: junk }))
    }
  })

  test('crudPermissions lists the actions a resource serves, or all of them when asked', ({
    assert,
  }) => {
    const books = defineResource({ name: 'books', fields: { title: field.string() } })
    const loans = defineResource({
      name: 'loans',
      fields: { due_on: field.date() },
      permissions: { create: false, delete: false },
    })
    assert.deepEqual(crudPermissions('library', [books, loans]), [
      'library.books.read',
      'library.books.create',
      'library.books.update',
      'library.books.delete',
      'library.loans.read',
      'library.loans.update',
    ])
    assert.deepEqual(crudPermissions('library', loans, { all: true }), [
      'library.loans.read',
      'library.loans.create',
      'library.loans.update',
      'library.loans.delete',
    ])
  })
})
