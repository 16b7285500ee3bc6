import { test } from '@japa/runner'
import { readdir, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import app from '@adonisjs/core/services/app'
import * as errors from '#core/errors'

const catalog = () => readFile(new URL('../../docs/errors.md', import.meta.url), 'utf8')

const isError = (value: unknown): value is typeof errors.OryneError =>
  typeof value === 'function' && value.prototype instanceof errors.OryneError

/**
 * Every error core declares: core/errors.ts and the errors defined next to
 * their modules (core/storage/errors.ts, ERR_HOLIDAY in core/plugins/calendar.ts,
 * ...), found as the core files that call defineError, so a new one cannot
 * slip past the catalog. Plugins document theirs in docs/plugins/.
 */
async function declaredInCore() {
  const root = app.makePath('core')
  const files = (await readdir(root, { recursive: true }))
    .filter((name) => name.endsWith('.ts') && !name.endsWith('.d.ts'))
    .map((name) => join(root, name))
  const declared = new Set<typeof errors.OryneError>()
  for (const file of files) {
    if (!(await readFile(file, 'utf8')).includes('defineError(')) continue
    for (const value of Object.values(await import(pathToFileURL(file).href)))
      if (isError(value)) declared.add(value)
  }
  return [...declared]
}

test.group('Error catalog', () => {
  test('every error code is unique and looks like ERR_*', async ({ assert }) => {
    const declared = await declaredInCore()
    const codes = declared.map((error) => error.code)
    assert.includeMembers(codes, ['ERR_NOT_FOUND', 'ERR_UPLOAD_MISMATCH', 'ERR_HOLIDAY'])
    assert.lengthOf(new Set(codes), codes.length)
    for (const code of codes) assert.match(code, /^ERR_[A-Z_]+$/)
  })

  test('docs/errors.md lists every code with its HTTP status', async ({ assert }) => {
    const text = await catalog()
    for (const error of await declaredInCore()) {
      assert.match(
        text,
        new RegExp(`\\| \`${error.code}\`\\s+\\| ${error.status}\\s+\\|`),
        `${error.code} is missing`
      )
    }
  })

  test('docs/errors.md lists no code that the code base does not raise', async ({ assert }) => {
    const text = await catalog()
    const documented = [...text.matchAll(/^\| `(ERR_[A-Z_]+)`\s+\|/gm)].map((m) => m[1])
    const codes = new Set((await declaredInCore()).map((error) => error.code))
    for (const code of documented)
      assert.isTrue(codes.has(code), `${code} is documented but not declared`)
  })
})
