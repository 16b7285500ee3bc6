import { test } from '@japa/runner'
import { readdir } from 'node:fs/promises'
import { pathToFileURL } from 'node:url'
import app from '@adonisjs/core/services/app'
import { definedErrors } from '#core/errors'

/*
 * One rule for refusals, every plugin alike (docs/api.md, "Refusals"): 409 is a
 * conflict with the state of stored data (already done, taken, full, closed, a
 * move the workflow does not allow), 422 a well-formed request whose values break
 * a business rule. A code's name says which it is, so the catalog is held to it.
 */

/** Every error core and the built-in plugins define (a plugin's errors.ts registers on import). */
async function everyError() {
  const plugins = app.makePath('plugins')
  for (const name of await readdir(plugins))
    await import(pathToFileURL(`${plugins}/${name}/errors.ts`).href).catch(() => {})
  return definedErrors()
}

const STATE_CONFLICT =
  /_(ALREADY_[A-Z_]+|EXISTS|TAKEN|FULL|INVALID_TRANSITION|IN_USE|LOCKED|CLOSED|GENERATED|PENDING)$/

const REFUSALS = new Set([400, 401, 403, 404, 405, 408, 409, 410, 413, 415, 422, 429, 431])

test.group('Refusal statuses', () => {
  test('a code that names a state conflict is a 409, never a 422', async ({ assert }) => {
    const errors = await everyError()
    assert.includeMembers(
      errors.map((error) => error.code),
      ['ERR_LMS_POINTS_OUT_OF_RANGE', 'ERR_LIBRARY_ALREADY_RESERVED', 'ERR_ERP_SEATS_FULL']
    )
    const wrong = errors
      .filter((error) => STATE_CONFLICT.test(error.code) && error.status !== 409)
      .map((error) => `${error.code} ${error.status}`)
    assert.deepEqual(wrong, [])
  })

  test('a refusal uses one of the statuses docs/api.md lists; NOT_FOUND is the path (404) or the body (422)', async ({
    assert,
  }) => {
    const errors = await everyError()
    const unlisted = errors
      .filter((error) => error.status < 500 && !REFUSALS.has(error.status))
      .map((error) => `${error.code} ${error.status}`)
    assert.deepEqual(unlisted, [])
    const notFound = errors
      .filter((error) => /_NOT_FOUND$/.test(error.code) && ![404, 422].includes(error.status))
      .map((error) => `${error.code} ${error.status}`)
    assert.deepEqual(notFound, [])
  })
})
