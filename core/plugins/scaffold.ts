import { existsSync } from 'node:fs'
import { mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { E_PLUGIN_EXISTS, E_VALIDATION } from '../errors.js'
import { pluginNameProblem } from './catalog.js'
import { importManifest } from './discovery.js'
import type { PluginManifest } from './define_plugin.js'
import { makeMigration } from './workshop.js'

/*
 * `oryne plugin new <name>`: a plugin in the house shape (plugin.ts, one
 * resource, its generated migration and snapshot, one described custom route,
 * one CLI command, a test of each, one web app page with its navigation entry,
 * widget and messages in English and Arabic) that works as it is: its own test
 * passes before the author changes a line.
 */

const title = (name: string) =>
  name
    .split('-')
    .map((part) => part[0].toUpperCase() + part.slice(1))
    .join(' ')

function manifestSource(name: string, hostRange: string) {
  return `import { definePlugin } from '@oryne/sdk'

/**
 * ${title(name)}. Its resources (resources/), migrations (migrations/) and tests
 * (tests/) are found next to this file; see docs/plugins.md.
 */
export default definePlugin({
  name: '${name}',
  version: '0.1.0',
  host: '${hostRange}',
  description: '${title(name)} for institutions',
  permissions: [
    '${name}.items.read',
    '${name}.items.create',
    '${name}.items.update',
    '${name}.items.delete',
  ],
  grants: { TenantAdmin: ['${name}.*'], Teacher: ['${name}.items.read'] },
  // The web app (docs/web.md, "A plugin's pages"): pages in ui/index.tsx, words in ui/messages.ts.
  ui: {
    nav: [
      {
        id: 'items',
        label: '${name}.nav.items',
        path: '/${name}/items',
        permissions: ['${name}.items.read'],
      },
    ],
    widgets: [
      { id: 'count', title: '${name}.widget.count', permissions: ['${name}.items.read'] },
    ],
  },
})
`
}

function uiSource(name: string) {
  return `import {
  api,
  call,
  definePluginUi,
  Empty,
  Loading,
  Page,
  Problem,
  useI18n,
  useLoad,
} from '@oryne/web'

type Item = { id: string; title: string; done: boolean }

/** The institution's items, newest first (GET /api/v1/${name}/items). */
function Items() {
  const { t } = useI18n()
  const items = useLoad(() => api<Item[]>('/api/v1/${name}/items'), [])
  return (
    <Page title={t('${name}.nav.items')}>
      <Problem error={items.error} />
      {items.data === undefined ? (
        <Loading what={t('${name}.nav.items')} />
      ) : items.data.length === 0 ? (
        <Empty text={t('${name}.items.none')} />
      ) : (
        <ul>
          {items.data.map((item) => (
            <li key={item.id}>{item.title}</li>
          ))}
        </ul>
      )}
    </Page>
  )
}

/** How many items there are, on the home page. */
function Count() {
  const { t } = useI18n()
  const items = useLoad(
    () => call<Item[]>('/api/v1/${name}/items', { query: { per_page: 1 } }),
    []
  )
  const total = items.data?.pagination?.total ?? items.data?.data.length
  return <p>{total === undefined ? '…' : t('${name}.items.count', { count: total })}</p>
}

export default definePluginUi({ pages: { items: Items }, widgets: { count: Count } })
`
}

function messagesSource(name: string) {
  return `import { defineMessages } from '@oryne/web'

/** Every key starts with the plugin's name; Arabic is checked against English for completeness. */
export default defineMessages({
  en: {
    '${name}.nav.items': '${title(name)}',
    '${name}.widget.count': '${title(name)}',
    '${name}.items.none': 'No items yet.',
    '${name}.items.count': '{count, plural, =0 {No items} one {# item} other {# items}}',
  },
  ar: {
    '${name}.nav.items': '${title(name)}',
    '${name}.widget.count': '${title(name)}',
    '${name}.items.none': 'لا عناصر بعد.',
    '${name}.items.count':
      '{count, plural, =0 {لا عناصر} one {عنصر واحد} two {عنصران} few {# عناصر} many {# عنصرًا} other {# عنصر}}',
  },
})
`
}

const RESOURCE_SOURCE = `import { defineResource, field } from '@oryne/sdk'

/** One item: its table, CRUD API, validation and permissions all come from this declaration. */
export const items = defineResource({
  name: 'items',
  description: 'Things this plugin keeps for an institution',
  fields: {
    title: field.string({ required: true, max: 200, search: true }),
    notes: field.text(),
    done: field.boolean({ default: false }),
  },
  defaultSort: '-created_at',
})
`

function commandsSource(name: string) {
  return `import { definePluginCommand, readTenantDb } from '@oryne/sdk'

/**
 * \`oryne ${name} count --tenant <slug>\`: how many items an institution keeps.
 * Core checks the tenant enabled the plugin and runs it in the tenant's
 * context; \`--json\` and the exit codes come with it (docs/plugins.md, "Commands").
 */
const count = definePluginCommand({
  name: 'count',
  description: 'how many items an institution keeps',
  async run({ tenant, print, write }) {
    const [row] = await readTenantDb((client, table) =>
      client.from(table('${name.replaceAll('-', '_')}_items')).count('* as count')
    )
    const items = Number(row.count)
    print({ items }, () => write(\`\${tenant.slug} keeps \${items} item(s).\\n\`))
  },
})

export default [count]
`
}

function routesSource(name: string) {
  return `import { authorize, readTenantDb, respond, type Router } from '@oryne/sdk'

/**
 * Custom routes beside the generated CRUD, under /api/v1/${name}. Each one
 * describes itself for the OpenAPI document (body, statuses, errors): the
 * generated client and the conformance check read it, and \`oryne plugin check\`
 * fails on a route that does not (docs/plugins.md, "Routes").
 */
export default function routes(router: Router) {
  router
    .get('/summary', async (ctx) => {
      await authorize(ctx, '${name}.items.read')
      const [row] = await readTenantDb((client, table) =>
        client.from(table('${name.replaceAll('-', '_')}_items')).count('* as count')
      )
      respond(ctx, { items: Number(row.count) })
    })
    .describe({
      summary: 'How many items the institution keeps',
      data: { type: 'object', properties: { items: { type: 'integer' } }, required: ['items'] },
    })
}
`
}

function testSource(name: string) {
  return `import { test } from '@japa/runner'
import { created, ok, openSchool, refused, runCommand } from '@oryne/sdk/testing'

test.group('${title(name)}', () => {
  test('an institution that enabled it keeps its items', async ({ client, assert }) => {
    const school = await openSchool(client, {
      plugins: ['${name}'],
      people: { head: 'TenantAdmin' },
    })
    const head = school.as('head')

    await created(head.post('/${name}/items').json({ title: 'First item' }))

    const items = await ok(head.get('/${name}/items'))
    assert.deepEqual(
      items.map((item: { title: string }) => item.title),
      ['First item']
    )
    assert.deepEqual(await ok(head.get('/${name}/summary')), { items: 1 })
  })

  test('an institution that did not enable it gets ERR_PLUGIN_DISABLED', async ({ client }) => {
    const school = await openSchool(client, { people: { head: 'TenantAdmin' } })
    await refused(school.as('head').get('/${name}/items'), 404, 'ERR_PLUGIN_DISABLED')
  })

  test('oryne ${name} count tells how many items an institution keeps', async ({
    client,
    assert,
  }) => {
    const school = await openSchool(client, {
      plugins: ['${name}'],
      people: { head: 'TenantAdmin' },
    })
    await created(school.as('head').post('/${name}/items').json({ title: 'First item' }))

    const args = ['${name}', 'count', '--tenant', school.tenant.slug, '--json']
    const counted = await runCommand(args)
    assert.equal(counted.code, 0, counted.stderr)
    assert.deepEqual(JSON.parse(counted.stdout), { ok: true, items: 1 })
  })
})
`
}

export type ScaffoldResult = { name: string; directory: string; files: string[] }

/**
 * Writes the plugin into `<root>/<name>` and generates its first migration.
 * Refuses a name that is not a valid plugin name, that another installed
 * plugin uses (`taken`), or whose folder exists.
 */
export async function scaffoldPlugin(options: {
  name: string
  root: string
  hostVersion: string
  taken: (name: string) => string | undefined
}): Promise<ScaffoldResult> {
  const { name, root } = options
  const problem = pluginNameProblem(name)
  if (problem)
    throw new E_VALIDATION([], {
      details: [{ field: 'name', rule: 'plugin_name', message: problem }],
    })
  const directory = join(root, name)
  const owner = options.taken(name)
  if (owner) throw new E_PLUGIN_EXISTS([name, owner])
  if (existsSync(directory)) throw new E_PLUGIN_EXISTS([name, directory])

  const files: Array<[string, string]> = [
    ['plugin.ts', manifestSource(name, `^${options.hostVersion}`)],
    ['resources/items.ts', RESOURCE_SOURCE],
    ['commands.ts', commandsSource(name)],
    ['routes.ts', routesSource(name)],
    ['ui/index.tsx', uiSource(name)],
    ['ui/messages.ts', messagesSource(name)],
    [`tests/${name.replaceAll('-', '_')}.spec.ts`, testSource(name)],
  ]
  for (const [file, source] of files) {
    await mkdir(join(directory, file, '..'), { recursive: true })
    await writeFile(join(directory, file), source)
  }
  const loaded = await importManifest(join(directory, 'plugin.ts'), directory)
  if (loaded.loadError) throw new Error(`The scaffolded plugin does not load: ${loaded.loadError}`)
  const plan = await makeMigration({ manifest: loaded.manifest as PluginManifest, directory })
  return {
    name,
    directory,
    files: [
      ...files.map(([file]) => file),
      `migrations/${plan.name}.ts`,
      'migrations/.snapshot.json',
    ],
  }
}
