import { readdir, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { gzipSync } from 'node:zlib'
import { test } from '@japa/runner'
import { CONSOLE_OUTPUT, consoleIsStale, ensureConsoleBuilt } from '#core/console/build'

/** The budget: the console's first load stays under 200 KB of compressed JavaScript. */
const BUDGET_BYTES = 200 * 1024

test.group('Admin console build', () => {
  test('the built console ships under 200 KB of gzipped JavaScript', async ({ assert }) => {
    await ensureConsoleBuilt()
    assert.isFalse(await consoleIsStale())
    const assets = join(CONSOLE_OUTPUT, 'assets')
    const scripts = (await readdir(assets)).filter((name) => name.endsWith('.js'))
    assert.isAbove(scripts.length, 0)
    let gzipped = 0
    for (const name of scripts)
      gzipped += gzipSync(await readFile(join(assets, name)), { level: 9 }).length
    // The figure docs/console.md quotes; printed so that a run shows it.
    console.log(
      `console JavaScript: ${scripts.length} file(s), ${(gzipped / 1024).toFixed(1)} KB gzipped`
    )
    assert.isBelow(gzipped, BUDGET_BYTES)
  })
})
