#!/usr/bin/env node
/*
 * The `oryne` command. A JavaScript entry so that it runs straight after `npm ci`:
 * it registers the TypeScript loader and hands over to cli/main.ts.
 */
import { readFileSync } from 'node:fs'
import { reexecOnPinnedNode } from './node24.js'

const args = process.argv.slice(2)

if (args.length === 1 && (args[0] === '--version' || args[0] === '-v')) {
  // Answered before the TypeScript loader starts: scripts call it to probe the install.
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'))
  process.stdout.write(`${pkg.version}\n`)
} else if (!reexecOnPinnedNode(import.meta.url)) {
  const { registerTypeScript } = await import('./ts_hooks.js')
  registerTypeScript(new URL('../', import.meta.url))
  const { main } = await import('../cli/main.ts')
  await main(process.argv)
}
