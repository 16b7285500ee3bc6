import { test } from '@japa/runner'
import { readFile } from 'node:fs/promises'
import * as errors from '#core/errors'

const catalog = () => readFile(new URL('../../docs/errors.md', import.meta.url), 'utf8')

const declared = Object.values(errors).filter(
  (value): value is typeof errors.OryneError =>
    typeof value === 'function' && value.prototype instanceof errors.OryneError
)

test.group('Error catalog', () => {
  test('every error code is unique and looks like ERR_*', ({ assert }) => {
    const codes = declared.map((error) => error.code)
    assert.isAbove(codes.length, 5)
    assert.lengthOf(new Set(codes), codes.length)
    for (const code of codes) assert.match(code, /^ERR_[A-Z_]+$/)
  })

  test('docs/errors.md lists every code with its HTTP status', async ({ assert }) => {
    const text = await catalog()
    for (const error of declared) {
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
    const codes = new Set(declared.map((error) => error.code))
    for (const code of documented)
      assert.isTrue(codes.has(code), `${code} is documented but not declared`)
  })
})
