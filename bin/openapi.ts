/*
 * `npm run openapi -- [--out <file>] [--server <url>]`: writes the generic OpenAPI
 * document (every route, every installed plugin) without a database or Redis.
 * `npm run lint` lints it; packages/client is generated from it.
 */
import { mkdirSync, writeFileSync } from 'node:fs'
import { dirname } from 'node:path'
import { parseArgs } from 'node:util'

process.env.NODE_ENV ??= 'development'
process.env.LOG_LEVEL ??= 'silent'

const { values } = parseArgs({
  options: { out: { type: 'string' }, server: { type: 'string' } },
})

const { bootApp } = await import('#core/runtime/ignite')
const app = await bootApp('web')
const { default: router } = await import('@adonisjs/core/services/router')
router.commit()
const { buildOpenApiDocument } = await import('#core/openapi/index')
const pkg = JSON.parse(
  await import('node:fs').then((fs) => fs.readFileSync('package.json', 'utf8'))
)
const document = await buildOpenApiDocument({
  version: pkg.version,
  tenant: null,
  servers: values.server ? [{ url: values.server }] : undefined,
})
const text = `${JSON.stringify(document, null, 2)}\n`
if (values.out) {
  mkdirSync(dirname(values.out), { recursive: true })
  writeFileSync(values.out, text)
} else process.stdout.write(text)
await app.terminate()
