/*
 * Test helpers for a plugin's own Japa tests (`@oryne/sdk/testing`). A plugin's
 * tests run against a real, booted Oryne (`oryne plugin test <name>`): they
 * open a school with the plugin enabled, act as its people through HTTP, and
 * read the school's rows through the SDK when an assertion needs them.
 *
 * ```ts
 * import { test } from '@japa/runner'
 * import { eventually, openSchool, ok, refused } from '@oryne/sdk/testing'
 *
 * test('students read the catalogue, never write it', async ({ client, assert }) => {
 *   const school = await openSchool(client, {
 *     plugins: ['library'],
 *     people: { librarian: 'Staff', student: 'Student' },
 *   })
 *   await ok(school.as('librarian').post('/library/titles').json({ title: 'Dune' }), 201)
 *   const titles = await ok(school.as('student').get('/library/titles'))
 *   assert.deepEqual(titles.map((t: { title: string }) => t.title), ['Dune'])
 *   await refused(school.as('student').post('/library/titles').json({ title: 'Mine' }), 403, 'ERR_FORBIDDEN')
 *   await eventually(() => school.inbox('student'), { until: (notes) => notes.length > 0 })
 * })
 * ```
 */
import { randomBytes } from 'node:crypto'
import { setTimeout as sleep } from 'node:timers/promises'
import type { ApiClient, ApiRequest, ApiResponse } from '@japa/api-client'
import app from '@adonisjs/core/services/app'
import { tenantContext } from '../tenancy/context.js'
import { withTenantDb } from '../tenancy/tenant_db.js'
import { findJob } from '../jobs/define_job.js'
import { onCoreEvent, type OryneEvent } from '../events/events.js'
import type { Tenant } from '../tenancy/types.js'
import type { TransactionClientContract } from '@adonisjs/lucid/types/database'

const ACTOR = 'test'

/** The password of every person the helpers create (they are active and signed in). */
export const TEST_PASSWORD = 'Maple-Syrup-2031'

export type TestTenantOptions = {
  /** Slug of the tenant; a unique one by default. */
  slug?: string
  /** Plugins to enable (their dependencies are enabled first). */
  plugins?: string[]
  /** Settings per plugin, validated as `PATCH .../settings` would. */
  settings?: Record<string, Record<string, unknown>>
}

/** A new, active tenant with `plugins` enabled: each test gets a schema of its own. */
export async function testTenant(options: TestTenantOptions = {}): Promise<Tenant> {
  const tenancy = await app.container.make('oryne.tenancy')
  const slug = options.slug ?? `test-${randomBytes(4).toString('hex')}`
  const registered = await tenancy.create(
    { slug, name: `School ${slug}`, adminEmail: `admin@${slug}.example` },
    ACTOR
  )
  const { tenant } = await tenancy.provisionNow(registered.id, ACTOR)
  if (options.plugins?.length)
    await tenancy.plugins.enable(tenant, options.plugins, { actor: ACTOR })
  for (const [plugin, values] of Object.entries(options.settings ?? {}))
    await tenancy.plugins.updateSettings(tenant, plugin, values, { actor: ACTOR })
  return tenant
}

/** Runs `fn` as code of `tenant` (withTenantDb, emitEvent, pluginSettings, a plugin's services). */
export function asTenant<T>(tenant: Tenant, fn: () => T): T {
  return tenantContext.run(tenant, fn)
}

/**
 * Runs `fn` in a transaction of `tenant`'s schema: set-up a test cannot make
 * through the API (back-dating a row) and rows an assertion reads.
 */
export function tenantDb<T>(tenant: Tenant, fn: (trx: TransactionClientContract) => Promise<T>) {
  return tenantContext.run(tenant, () => withTenantDb(fn))
}

/** The job registered under `name` (`<plugin>.<job>`), if the plugin declared it; undefined otherwise. */
export function registeredJob(name: string) {
  return findJob(name)
}

/**
 * Processes the jobs of `queues` in this test process, as `oryne worker` does:
 * for tests of what a queued job does. Calling it again adds nothing.
 */
export async function workJobs(queues: string[]) {
  const jobs = await app.container.make('oryne.jobs')
  await jobs.work(queues)
}

/** The platform token: every permission in every tenant (what automation and tests use). */
export function platformToken() {
  const token = process.env.ORYNE_PLATFORM_TOKEN
  if (!token)
    throw new Error('ORYNE_PLATFORM_TOKEN is not set: run the tests through `oryne plugin test`')
  return token
}

export type TenantApi = ReturnType<typeof tenantApi>

/**
 * Requests to `/api/v1<path>` of `tenant` (X-Tenant-ID), signed with the
 * platform token unless `token` names another bearer (a user's access token);
 * `null` sends none (an anonymous caller).
 */
export function tenantApi(
  client: ApiClient,
  tenant: Tenant,
  token: string | null = platformToken()
) {
  // Any path of any plugin: the request is not tied to the typed routes of the application.
  const request = (
    method: 'get' | 'post' | 'put' | 'patch' | 'delete',
    path: string,
    body?: object
  ): ApiRequest => {
    let sent = (client[method](`/api/v1${path}`) as ApiRequest).header('X-Tenant-ID', tenant.slug)
    if (token !== null) sent = sent.bearerToken(token)
    return body === undefined ? sent : sent.json(body)
  }
  /* A body given here is sent as JSON; without one, the request is still open (`.json()`, `.file()`). */
  return {
    get: (path: string) => request('get', path),
    post: (path: string, body?: object) => request('post', path, body),
    put: (path: string, body?: object) => request('put', path, body),
    patch: (path: string, body?: object) => request('patch', path, body),
    delete: (path: string) => request('delete', path),
  }
}

/** A person of a test tenant: an active user with their roles, signed in. */
export type Person = { id: string; email: string; roles: string[]; token: string }

/** Adds an active user with `roles` (password TEST_PASSWORD) to `tenant`, signed in. */
export async function addPerson(
  tenant: Tenant,
  options: { email: string; roles: string | string[] }
): Promise<Person> {
  const roles = typeof options.roles === 'string' ? [options.roles] : options.roles
  const { identity } = await import('../auth/identity.js')
  return tenantContext.run(tenant, async () => {
    const { user } = await identity.tenantUsers.create({
      email: options.email,
      roles,
      password: TEST_PASSWORD,
    })
    const tokens = await identity.tenant.login(options.email, TEST_PASSWORD)
    if (!('access_token' in tokens))
      throw new Error(`${options.email} could not sign in: ${JSON.stringify(tokens)}`)
    return { id: String(user.id), email: options.email, roles, token: tokens.access_token }
  })
}

/** Runs `tasks` with at most `limit` in flight, started in the order given: many people at once. */
export { pool } from '../utils/pool.js'
/* A card gateway over real HTTP for payment tests: sessions, refunds, signed webhooks, a hosted page. */
export { PaymentGateway, type GatewaySession } from '../payments/test_gateway.js'

export type OpenSchoolOptions<Who extends string> = TestTenantOptions & {
  /** The people of the school by the name tests call them, with their role(s). */
  people?: Record<Who, string | string[]>
}

/** A tenant with plugins enabled and its people signed in, as `openSchool` returns it. */
export type School<Who extends string> = {
  tenant: Tenant
  people: Record<Who, Person>
  /** The API of the school (`/api/v1<path>`) acting as one of its people, as the platform, or as nobody. */
  as(who: Who | Person | 'platform' | 'anonymous'): TenantApi
  /** Adds another person (email `<key>@<slug>.example`) and signs them in. */
  addPerson(key: string, roles: string | string[]): Promise<Person>
  /** A transaction of the school's schema (see tenantDb). */
  db<T>(fn: (trx: TransactionClientContract) => Promise<T>): Promise<T>
  /** Runs `fn` as code of the school's tenant (see asTenant). */
  run<T>(fn: () => T): T
  /** Reads the tenant again (after its settings changed through the API): later calls see the new values. */
  reload(): Promise<Tenant>
  /** The in-app notifications of one person, newest first. */
  inbox(who: Who | Person): Promise<Array<{ id: string; title: string; body: string }>>
}

/**
 * A school: a new tenant with `plugins` enabled (dependencies first), its
 * `settings` applied and its `people` created and signed in.
 *
 * ```ts
 * const school = await openSchool(client, { plugins: ['library'], people: { head: 'TenantAdmin' } })
 * await school.as('head').get('/library/titles')
 * ```
 */
export async function openSchool<Who extends string = never>(
  client: ApiClient,
  options: OpenSchoolOptions<Who> = {}
): Promise<School<Who>> {
  const tenant = await testTenant(options)
  const add = (key: string, roles: string | string[]) =>
    addPerson(tenant, { email: `${key}@${tenant.slug}.example`, roles })
  const people = {} as Record<Who, Person>
  for (const [who, roles] of Object.entries(options.people ?? {}) as Array<
    [Who, string | string[]]
  >)
    people[who] = await add(who, roles)
  const personOf = (who: Who | Person) => (typeof who === 'string' ? people[who] : who)
  const school: School<Who> = {
    tenant,
    people,
    as: (who) =>
      who === 'platform'
        ? tenantApi(client, school.tenant)
        : tenantApi(
            client,
            school.tenant,
            who === 'anonymous' ? null : personOf(who as Who | Person).token
          ),
    addPerson: add,
    db: (fn) => tenantDb(school.tenant, fn),
    run: (fn) => asTenant(school.tenant, fn),
    async reload() {
      const tenancy = await app.container.make('oryne.tenancy')
      school.tenant = await tenancy.registry.findOrFail(tenant.slug)
      return school.tenant
    },
    async inbox(who) {
      return ok(school.as(who).get('/notifications?per_page=100'))
    },
  }
  return school
}

/**
 * One school for every test of a file that asks for it: opened by the first
 * test (then `prepare`d: the plugin's own set-up, whose result joins the
 * school), and shared after that. Tests keep to rows of their own so that
 * their order never matters.
 *
 * ```ts
 * const schoolFor = sharedSchool(
 *   { plugins: ['library'], people: { librarian: 'Staff' } },
 *   async (school) => ({ shelf: await created(school.as('librarian').post('/library/shelves').json({ name: 'A' })) })
 * )
 * test('...', async ({ client }) => { const school = await schoolFor(client) })
 * ```
 */
export function sharedSchool<Who extends string = never, Extra extends object = {}>(
  options: OpenSchoolOptions<Who>,
  prepare?: (school: School<Who>) => Promise<Extra>
) {
  let opened: Promise<School<Who> & Extra> | undefined
  return (client: ApiClient) =>
    (opened ??= openSchool(client, options).then(async (school) =>
      Object.assign(school, prepare ? await prepare(school) : ({} as Extra))
    ))
}

type Answer = ApiResponse | ApiRequest | Promise<ApiResponse>

/** The `data` of the envelope once the response has `status` (200 by default); the error otherwise. */
export async function ok(request: Answer, status = 200) {
  const response = await request
  if (response.status() !== status)
    throw new Error(
      `Expected ${status}, got ${response.status()}: ${JSON.stringify(response.body())}`
    )
  return response.body().data
}

/** The `data` of a 201 answer. */
export function created(request: Answer) {
  return ok(request, 201)
}

/** The total of a paginated list (`meta.pagination.total`) once it answers 200. */
export async function total(request: Answer): Promise<number> {
  const response = await request
  await ok(response)
  return response.body().meta.pagination.total
}

/** The envelope's error code of an answer (undefined when it succeeded). */
export function errorCode(response: ApiResponse): string | undefined {
  return response.body().error?.code
}

/** The envelope's `error` once the response is a refusal with `status` and `code`. */
export async function refused(request: Answer, status: number, code: string) {
  const response = await request
  if (response.status() !== status || response.body().error?.code !== code)
    throw new Error(
      `Expected ${status} ${code}, got ${response.status()}: ${JSON.stringify(response.body())}`
    )
  return response.body().error
}

/**
 * The events core delivers from now on (after their transaction commits) whose
 * name starts with `prefix` (of `tenant` only, when given), in delivery order:
 * a live list to read with `eventually`.
 */
export function recordEvents(prefix: string, tenant?: Tenant): OryneEvent[] {
  const recorded: OryneEvent[] = []
  onCoreEvent(
    (event) => event.name.startsWith(prefix) && (!tenant || event.tenantId === tenant.id),
    (event) => void recorded.push(event)
  )
  return recorded
}

/**
 * Seeds `tenant` as `oryne tenant demo` does: the demo plugins enabled, demo
 * people created, each enabled plugin's `demo` seed run.
 */
export async function seedDemo(tenant: Tenant) {
  const { seedDemo: seed } = await import('../plugins/demo.js')
  const plugins = await app.container.make('oryne.plugins')
  return seed(plugins, tenant, { actor: 'platform' })
}

export type EventuallyOptions<T> = {
  /** Gives up after this long (5 s by default), with the last value or error. */
  timeoutMs?: number
  /** Pause between tries (100 ms by default). */
  intervalMs?: number
  /** Tries again until the value satisfies it; by default any value `fn` returns without throwing. */
  until?: (value: T) => boolean
}

/**
 * Calls `fn` until it answers (and `until` holds): for what happens after a
 * commit or in a job, such as notifications, search indexing or events.
 */
export async function eventually<T>(
  fn: () => Promise<T> | T,
  options: EventuallyOptions<T> = {}
): Promise<T> {
  const deadline = Date.now() + (options.timeoutMs ?? 5000)
  for (;;) {
    let outcome: { value: T } | { error: unknown }
    try {
      const value = await fn()
      outcome = { value }
      if (!options.until || options.until(value)) return value
    } catch (error) {
      outcome = { error }
    }
    if (Date.now() >= deadline) {
      if ('error' in outcome) throw outcome.error
      throw new Error(
        `Still not there after ${options.timeoutMs ?? 5000} ms: ${JSON.stringify(outcome.value)}`
      )
    }
    await sleep(options.intervalMs ?? 100)
  }
}

export type CommandResult = { code: number; stdout: string; stderr: string }

/**
 * Runs `oryne <args>` in this process, on the application the tests booted,
 * as a platform admin's script would: its exit code and what it printed.
 * For a plugin's commands (`runCommand(['my-plugin', 'count', '--tenant',
 * school.tenant.slug, '--json'])`). One at a time: it borrows stdout and stderr.
 */
export async function runCommand(args: string[]): Promise<CommandResult> {
  const { main } = await import('../../cli/main.js')
  const output = { stdout: '', stderr: '' }
  const writes = { stdout: process.stdout.write, stderr: process.stderr.write }
  const capture = (stream: 'stdout' | 'stderr') =>
    ((chunk: string | Uint8Array) => {
      output[stream] += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString()
      return true
    }) as typeof process.stdout.write
  const exitCode = process.exitCode
  process.exitCode = undefined
  process.stdout.write = capture('stdout')
  process.stderr.write = capture('stderr')
  try {
    await main([process.execPath, 'oryne', ...args])
    return { code: Number(process.exitCode ?? 0), ...output }
  } finally {
    process.stdout.write = writes.stdout
    process.stderr.write = writes.stderr
    process.exitCode = exitCode
  }
}
